using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Grid.Replication.DSig;

namespace Grid.Cli.Bench.Dsig;

/// <summary>
/// <c>grid bench dsig</c> in one run (specs/dsig.md §8): per message size, DSig sign, fast
/// verify and slow-path verify next to Ed25519 sign and verify in libsodium (NSec) and in
/// BouncyCastle. Single-threaded: ops/s is per core. Every round runs every row with its share
/// of the ops, so a slow phase of this shared machine lands on all rows alike; the background
/// planes run between rounds, never during a measured row.
/// </summary>
internal sealed class DsigBench : IDisposable
{
    public const string Name = "dsig";

    private readonly DsigBenchSettings _settings;
    private readonly List<ISignatureScheme> _schemes = [];
    private readonly List<DsigBenchRow> _rows = [];
    private readonly Dictionary<int, DsigScheme> _dsig = [];

    public DsigBench(DsigBenchSettings settings)
    {
        _settings = settings;
        var signsPerRound = Math.Max(settings.Plan.MeasuredOpsInRound(0), settings.Plan.WarmupOps);
        var random = new Random(20240607);
        foreach (var size in settings.MessageSizes)
        {
            var messages = Enumerable.Range(0, DsigBenchSettings.Samples).Select(_ =>
            {
                var message = new byte[size];
                random.NextBytes(message);
                return message;
            }).ToArray();
            var dsig = new DsigScheme(messages, signsPerRound);
            var nsec = new NSecEd25519Scheme(messages);
            var bouncy = new BouncyCastleEd25519Scheme(messages);
            _schemes.AddRange([dsig, nsec, bouncy]);
            _dsig[size] = dsig;
            var signature = new byte[DsigParameters.SignatureBytes];
            foreach (var scheme in new ISignatureScheme[] { dsig, nsec, bouncy })
            {
                _rows.Add(new DsigBenchRow(scheme, "sign", size, i =>
                {
                    scheme.Sign(messages[i % messages.Length], signature.AsSpan(0, scheme.SignatureBytes));
                    return true;
                }));
                _rows.Add(new DsigBenchRow(scheme, "verify", size, i =>
                    scheme.Verify(messages[i % messages.Length], i % messages.Length)));
                if (scheme == dsig)
                {
                    _rows.Add(new DsigBenchRow(scheme, "verify-slow", size, i =>
                        dsig.VerifySlow(messages[i % messages.Length], i % messages.Length)));
                }
            }
        }
    }

    public int RowCount => _rows.Count;

    /// <summary>Runs every round; <paramref name="progress"/> hears (rows done, rows total).</summary>
    public IReadOnlyList<BenchResult> Run(Action<int, int> progress, CancellationToken cancellationToken)
    {
        var plan = _settings.Plan;
        WarmUp(plan.WarmupOps, cancellationToken);
        foreach (var dsig in _dsig.Values)
        {
            dsig.MeasureBackground();
        }

        var done = 0;
        for (var round = 0; round < plan.Rounds; round++)
        {
            foreach (var row in _rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var measured = plan.MeasuredOpsInRound(round);
                if (row.Signs)
                {
                    row.Scheme.Prepare(measured);
                }

                RunRow(row, measured);
                progress(++done, _rows.Count * plan.Rounds);
            }
        }

        return [.. _rows.Select(ToResult)];
    }

    /// <summary>
    /// Two passes over every row with a pause after each: the runtime compiles a method again
    /// with full optimisation only after it was called 30 times and no new method was compiled
    /// for 100 ms, and measuring before that would measure the first, quick compilation.
    /// </summary>
    private void WarmUp(int ops, CancellationToken cancellationToken)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var row in _rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (row.Signs)
                {
                    row.Scheme.Prepare(ops);
                }

                for (var i = 0; i < ops; i++)
                {
                    row.Run(i);
                }
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(300));
        }
    }

    /// <summary>The headline ratios, from this run, for the console.</summary>
    public static string DescribeRatios(IReadOnlyList<BenchResult> results)
    {
        var lines = new List<string>();
        foreach (var size in results.Select(MessageBytes).Distinct())
        {
            double P50(string system, string op) =>
                results.First(r => r.System == system && r.Op == op && MessageBytes(r) == size).P50Microseconds;
            var sign = P50("ed25519-nsec", "sign") / P50("dsig", "sign");
            var verify = P50("ed25519-nsec", "verify") / P50("dsig", "verify");
            var slow = P50("dsig", "verify-slow") / P50("ed25519-nsec", "verify");
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{size} B: DSig sign p50 is {sign:0.0}x faster than NSec Ed25519, fast verify {verify:0.0}x " +
                $"faster; the slow path costs {slow:0.00}x an Ed25519 verification"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    public void Dispose()
    {
        foreach (var scheme in _schemes)
        {
            scheme.Dispose();
        }
    }

    private static int MessageBytes(BenchResult result) =>
        result.Extra is { } extra && extra.TryGetValue("message_bytes", out var value) ? (int)value : 0;

    private static void RunRow(DsigBenchRow row, int measured)
    {
        // Collections would land on whichever row runs then; the rows allocate nothing, so a
        // no-GC region keeps them out of the measured ops.
        var noGc = false;
        try
        {
            noGc = GCSettings.LatencyMode != GCLatencyMode.NoGCRegion && GC.TryStartNoGCRegion(16 << 20);
        }
        catch (InvalidOperationException)
        {
            // Another thread of this process entered a region between the check and the start
            // (tests run benches side by side): this row runs without one.
        }
        try
        {
            var rowStarted = Stopwatch.GetTimestamp();
            for (var i = 0; i < measured; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = row.Run(i);
                var elapsed = Stopwatch.GetTimestamp() - started;
                if (ok)
                {
                    row.Recorder.Record(elapsed);
                }
                else
                {
                    row.Recorder.RecordError();
                }
            }

            row.WallTicks += Stopwatch.GetTimestamp() - rowStarted;
        }
        finally
        {
            if (noGc && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
    }

    private BenchResult ToResult(DsigBenchRow row)
    {
        var result = row.Recorder.ToResult(row.Scheme.Name, row.Op, 1, Stopwatch.GetElapsedTime(0, row.WallTicks));
        var extra = new Dictionary<string, object>
        {
            ["message_bytes"] = row.MessageBytes,
            ["signature_bytes"] = row.Scheme.SignatureBytes,
        };
        if (row.Scheme is DsigScheme dsig && row.Op != "verify-slow")
        {
            // Per-core throughput once the background plane's share is paid too (§8).
            var background = row.Signs ? dsig.SignerBackgroundPerSignature : dsig.VerifierBackgroundPerSignature;
            var foreground = row.WallTicks == 0 ? 0 : Stopwatch.GetElapsedTime(0, row.WallTicks).TotalSeconds / result.Count;
            extra["background_us_per_sig"] = Math.Round(background.TotalMicroseconds, 2);
            extra["background_bytes_per_sig"] = Math.Round(DsigScheme.BackgroundBytesPerSignature, 1);
            extra["ops_per_s_with_background"] = Math.Round(1 / (foreground + background.TotalSeconds), 1);
        }

        return result with { Extra = extra };
    }
}
