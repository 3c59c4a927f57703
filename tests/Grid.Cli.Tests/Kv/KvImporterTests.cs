using System.Collections.Concurrent;
using Grid.Cli.Kv;
using Grid.Cli.Output;
using Orleans.Runtime;

namespace Grid.Cli.Tests.Kv;

/// <summary>
/// The import loop against scripted connections (a seam of the command, not a grain): what it
/// prints, when it retries, when it replaces a connection and when it gives up.
/// </summary>
public sealed class KvImporterTests
{
    private static readonly KvImportSettings Fast = new(
        KeyTimeout: TimeSpan.FromSeconds(5), AttemptTimeout: TimeSpan.FromSeconds(1))
    {
        RetryDelayMin = TimeSpan.FromMilliseconds(1),
        RetryDelayMax = TimeSpan.FromMilliseconds(5),
    };

    [Fact]
    public async Task Every_acknowledged_write_prints_ok_key_version_and_is_flushed()
    {
        var store = new ScriptedStore();
        var output = new FlushCountingWriter();
        var importer = Importer(store, output, new StringWriter(), Fast);

        var summary = await importer.RunAsync(
            new StringReader("alpha\tone\n\nbeta\ttwo\twith a tab\r\nalpha\tthree\n"), TestContext.Current.CancellationToken);

        Assert.Equal(new KvImportSummary(Lines: 4, Written: 3, Failed: 0, GaveUp: false), summary);
        Assert.Equal("ok alpha 1\nok beta 1\nok alpha 2\n", output.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(3, output.FlushesAfterLines);
        Assert.Equal("two\twith a tab", store.Text("beta"));
        Assert.Equal("three", store.Text("alpha"));
    }

    [Fact]
    public async Task Bad_lines_fail_alone_and_the_import_goes_on()
    {
        var store = new ScriptedStore();
        var output = new StringWriter();
        var error = new StringWriter();

        var summary = await Importer(store, output, error, Fast).RunAsync(
            new StringReader("no tab here\n\tempty key\nok\tvalue\n"), TestContext.Current.CancellationToken);

        Assert.Equal(new KvImportSummary(3, 1, 2, false), summary);
        Assert.Equal("ok ok 1\n", output.ToString().ReplaceLineEndings("\n"));
        Assert.Contains("line 1: expected KEY<TAB>VALUE, found no tab", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("line 2: KEY must be 1-512 bytes of UTF-8, not 0", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, store.Puts);
    }

    [Fact]
    public async Task Transient_failures_are_retried_and_a_lost_cluster_means_a_new_connection()
    {
        var store = new ScriptedStore();
        store.Failures.Enqueue(new TimeoutException("slow"));
        store.Failures.Enqueue(new SiloUnavailableException("silo died"));
        var output = new StringWriter();
        var connects = 0;
        var importer = new KvImporter(
            store.Connect(), (_, _) => { connects++; return Task.FromResult<IKvImportTarget>(store.Connect()); },
            Fast, new CliOutput(output, new StringWriter(), json: false), TimeProvider.System);

        var summary = await importer.RunAsync(new StringReader("k\tv\n"), TestContext.Current.CancellationToken);

        Assert.Equal(new KvImportSummary(1, 1, 0, false), summary);
        Assert.Equal("ok k 1\n", output.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(1, connects);
        // The dropped connection and, at the end, the one in use.
        Assert.Equal(2, store.Disposed);
    }

    [Fact]
    public async Task A_connection_that_keeps_failing_is_replaced_after_three_failures()
    {
        var store = new ScriptedStore();
        for (var i = 0; i < 3; i++)
        {
            store.Failures.Enqueue(new InvalidOperationException("grain failed"));
        }

        var connects = 0;
        var importer = new KvImporter(
            store.Connect(), (_, _) => { connects++; return Task.FromResult<IKvImportTarget>(store.Connect()); },
            Fast, new CliOutput(new StringWriter(), new StringWriter(), json: false), TimeProvider.System);

        var summary = await importer.RunAsync(new StringReader("k\tv\n"), TestContext.Current.CancellationToken);

        Assert.Equal(1, summary.Written);
        Assert.Equal(1, connects);
    }

    [Fact]
    public async Task A_write_that_never_answers_is_abandoned_after_the_attempt_timeout_and_retried()
    {
        var store = new ScriptedStore { HangFirstPuts = 1 };
        var output = new StringWriter();
        var settings = Fast with { AttemptTimeout = TimeSpan.FromMilliseconds(100) };

        var summary = await Importer(store, output, new StringWriter(), settings)
            .RunAsync(new StringReader("k\tv\n"), TestContext.Current.CancellationToken);

        Assert.Equal(1, summary.Written);
        Assert.Equal("ok k 1\n", output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_key_not_acknowledged_within_the_key_timeout_fails_and_the_next_key_gets_its_own()
    {
        var store = new ScriptedStore();
        var settings = Fast with { KeyTimeout = TimeSpan.FromMilliseconds(1500) };
        store.FailKey = "bad";
        var output = new StringWriter();
        var error = new StringWriter();

        var summary = await Importer(store, output, error, settings)
            .RunAsync(new StringReader("bad\t1\ngood\t2\n"), TestContext.Current.CancellationToken);

        Assert.Equal(new KvImportSummary(2, 1, 1, false), summary);
        Assert.Equal("ok good 1\n", output.ToString().ReplaceLineEndings("\n"));
        Assert.Contains("failed bad (line 1): not acknowledged within 1.5 s: refused bad", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_too_many_failed_keys_in_a_row_it_gives_up()
    {
        var store = new ScriptedStore { FailKey = "*" };
        var settings = Fast with { KeyTimeout = TimeSpan.FromMilliseconds(30), ConsecutiveFailedKeysMax = 2 };
        var error = new StringWriter();

        var summary = await Importer(store, new StringWriter(), error, settings)
            .RunAsync(new StringReader("a\t1\nb\t2\nc\t3\nd\t4\n"), TestContext.Current.CancellationToken);

        Assert.Equal(new KvImportSummary(2, 0, 2, true), summary);
        Assert.Contains("giving up: 2 keys in a row failed; lines after 2 were not imported", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_mode_prints_one_json_line_per_acknowledged_write()
    {
        var store = new ScriptedStore();
        var output = new StringWriter();
        var importer = new KvImporter(
            store.Connect(), (_, _) => Task.FromResult<IKvImportTarget>(store.Connect()),
            Fast, new CliOutput(output, new StringWriter(), json: true), TimeProvider.System);

        await importer.RunAsync(new StringReader("k\tv\nk\tw\n"), TestContext.Current.CancellationToken);

        Assert.Equal("{\"key\":\"k\",\"version\":1}\n{\"key\":\"k\",\"version\":2}\n", output.ToString().ReplaceLineEndings("\n"));
    }

    private static KvImporter Importer(ScriptedStore store, TextWriter output, TextWriter error, KvImportSettings settings) =>
        new(store.Connect(), (_, _) => Task.FromResult<IKvImportTarget>(store.Connect()),
            settings, new CliOutput(output, error, json: false), TimeProvider.System);

    /// <summary>An in-memory key-value store behind connections, with scripted failures.</summary>
    private sealed class ScriptedStore
    {
        private readonly ConcurrentDictionary<string, (byte[] Value, long Version)> _entries = new();
        private int _puts;
        private int _disposed;
        private int _hung;

        /// <summary>Thrown by the next puts, one each, before any put succeeds.</summary>
        public ConcurrentQueue<Exception> Failures { get; } = new();

        /// <summary>Puts of this key always fail ("*": every key).</summary>
        public string? FailKey { get; set; }

        /// <summary>The first this many puts never complete.</summary>
        public int HangFirstPuts { get; init; }

        public int Puts => _puts;

        public int Disposed => _disposed;

        public string Text(string key) => System.Text.Encoding.UTF8.GetString(_entries[key].Value);

        public IKvImportTarget Connect() => new Connection(this);

        private Task<long> PutAsync(string key, byte[] value)
        {
            if (Interlocked.Increment(ref _hung) <= HangFirstPuts)
            {
                return new TaskCompletionSource<long>().Task;
            }

            if (Failures.TryDequeue(out var failure))
            {
                return Task.FromException<long>(failure);
            }

            if (FailKey == "*" || FailKey == key)
            {
                return Task.FromException<long>(new InvalidOperationException($"refused {key}"));
            }

            Interlocked.Increment(ref _puts);
            var entry = _entries.AddOrUpdate(key, _ => (value, 1), (_, old) => (value, old.Version + 1));
            return Task.FromResult(entry.Version);
        }

        private sealed class Connection(ScriptedStore store) : IKvImportTarget
        {
            public Task<long> PutAsync(string key, byte[] value) => store.PutAsync(key, value);

            public ValueTask DisposeAsync()
            {
                Interlocked.Increment(ref store._disposed);
                return ValueTask.CompletedTask;
            }
        }
    }

    /// <summary>Counts flushes that follow a written line: each "ok" line must be flushed.</summary>
    private sealed class FlushCountingWriter : StringWriter
    {
        private bool _unflushedLine;

        public int FlushesAfterLines { get; private set; }

        public override Task WriteLineAsync(string? value)
        {
            _unflushedLine = true;
            return base.WriteLineAsync(value);
        }

        public override Task FlushAsync()
        {
            if (_unflushedLine)
            {
                FlushesAfterLines++;
                _unflushedLine = false;
            }

            return base.FlushAsync();
        }
    }
}
