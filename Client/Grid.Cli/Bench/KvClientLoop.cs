using System.Diagnostics;
using Grid.Replication.Kv;

namespace Grid.Cli.Bench;

/// <summary>
/// One YCSB client of <c>grid bench swarm</c>: its own store instance (own writer id, own queue
/// pairs), one op in flight at a time like the paper's clients. Before each op it draws get or
/// update by the workload's read proportion, the key by a scrambled zipfian and, for an update,
/// a fresh random value stamped with a unique tag; it records its updates for the lost-write
/// check and its completions on a timeline.
/// </summary>
internal sealed class KvClientLoop : IBenchLoop
{
    public const int Get = 0;
    public const int Update = 1;

    /// <summary>The ops as named in the table and the JSON, indexed by <see cref="Get"/> and <see cref="Update"/>.</summary>
    public static readonly IReadOnlyList<string> Ops = ["get", "update"];

    private readonly IKeyValueStore _store;
    private readonly IReadOnlyList<byte[]> _keys;
    private readonly YcsbWorkload _workload;
    private readonly int _valueBytes;
    private readonly MeasuredPhase _phase;
    private readonly Random _random;
    private readonly ScrambledZipfianGenerator _keyChooser;
    private int _op;
    private long _key;
    private byte[] _value = [];

    /// <param name="client">1-based client number: names its history and seeds its choices.</param>
    public KvClientLoop(
        IKeyValueStore store,
        IReadOnlyList<byte[]> keys,
        YcsbWorkload workload,
        int valueBytes,
        int client,
        MeasuredPhase phase)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(phase);
        _store = store;
        _keys = keys;
        _workload = workload;
        _valueBytes = valueBytes;
        _phase = phase;
        // Fixed seeds: every system sees the same sequence of ops and keys per client.
        _random = new Random(client);
        _keyChooser = new ScrambledZipfianGenerator(keys.Count, new Random(1_000 + client));
        History = new WriteHistory(client);
    }

    public WriteHistory History { get; }

    public ThroughputTimeline Timeline { get; } = new();

    public int LastRoundtrips { get; private set; }

    public int NextOp()
    {
        _op = _random.NextDouble() < _workload.ReadProportion ? Get : Update;
        _key = _keyChooser.Next();
        if (_op == Update)
        {
            // A fresh array per update: a store may still read it in a background step after
            // the put returned (SWARM's in-place refresh).
            _value = new byte[_valueBytes];
            _random.NextBytes(_value);
            History.Stamp(_value);
        }

        return _op;
    }

    public async ValueTask RunAsync()
    {
        LastRoundtrips = 0;
        var key = _keys[(int)_key];
        if (_op == Get)
        {
            var read = await _store.GetAsync(key).ConfigureAwait(false);
            LastRoundtrips = read.Roundtrips;
        }
        else
        {
            // Begun before the put: a put that throws may still have taken effect.
            var write = History.Begin(_key, _value, Stopwatch.GetTimestamp());
            var written = await _store.PutAsync(key, _value).ConfigureAwait(false);
            History.Acknowledge(write, Stopwatch.GetTimestamp());
            LastRoundtrips = written.Roundtrips;
        }

        Timeline.Record(_phase.Start, Stopwatch.GetTimestamp());
    }
}
