using System.Buffers.Binary;
using Grid.RdmaTransport.InProc;

namespace Grid.RdmaTransport.Tests.InProc;

public sealed class DeterministicSchedulerTests
{
    private static readonly NodeId Memory = new(1000);
    private static readonly NodeId Writer = new(1);
    private static readonly NodeId Reader = new(2);
    private const int ValueBytes = 512;

    [Fact]
    public void Forced_tearing_lets_a_read_observe_half_of_a_write()
    {
        var tornSeeds = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            if (ReadDuringWrite(seed, tornChunkBytes: 64) == Outcome.Torn)
            {
                tornSeeds++;
            }
        }

        Assert.True(tornSeeds > 0, "no seed out of 200 showed a torn read with 64-byte chunks");
    }

    [Fact]
    public void Without_forced_tearing_the_scheduler_never_tears_a_write()
    {
        var outcomes = new HashSet<Outcome>();
        for (var seed = 0; seed < 200; seed++)
        {
            outcomes.Add(ReadDuringWrite(seed, tornChunkBytes: 0));
        }

        Assert.DoesNotContain(Outcome.Torn, outcomes);
        // Both orders happen: the schedule really is explored.
        Assert.Contains(Outcome.Old, outcomes);
        Assert.Contains(Outcome.New, outcomes);
    }

    [Fact]
    public void The_same_seed_replays_the_same_run()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            Assert.Equal(Trace(seed), Trace(seed));
        }

        var distinct = Enumerable.Range(0, 50).Select(Trace).Distinct().Count();
        Assert.True(distinct > 1, "every seed gave the same interleaving");
    }

    [Fact]
    public void Completions_can_arrive_after_later_batches_of_the_same_queue_pair_executed()
    {
        // RDMA lets the target run batch 2 before the initiator hears of batch 1; the scheduler
        // must explore that too, or a protocol bug hiding there would never show.
        var seen = false;
        for (var seed = 0; seed < 100 && !seen; seed++)
        {
            using var fabric = NewFabric(seed, 0, out var scheduler);
            var queuePair = fabric.Connect(Writer, Memory);
            var completedFirst = -1L;
            var first = new VerbBatch { CompletionHandler = new Handler(_ => completedFirst = Word(fabric, 0)) };
            first.Write(0, 0, Bytes(1, 8));
            var second = new VerbBatch { CompletionHandler = new Handler(_ => { }) };
            second.Write(0, 0, Bytes(2, 8));
            queuePair.Post(first);
            queuePair.Post(second);
            scheduler.RunUntilIdle();
            seen = completedFirst == BitConverter.ToInt64(Bytes(2, 8));
        }

        Assert.True(seen);
    }

    [Fact]
    public void A_dropped_batch_times_out_as_a_schedulable_event()
    {
        using var fabric = NewFabric(3, 0, out var scheduler);
        fabric.Faults.DropLink(Writer, Memory);
        var queuePair = fabric.Connect(Writer, Memory);
        var batch = new VerbBatch { CompletionHandler = new Handler(_ => { }) };
        batch.Write(0, 0, Bytes(9, 8));
        queuePair.Post(batch);

        Assert.True(scheduler.HasPending);
        scheduler.RunUntilIdle();

        Assert.Equal(TransportError.Timeout, batch.Error);
        Assert.Equal(0L, Word(fabric, 0));
    }

    private static Outcome ReadDuringWrite(int seed, int tornChunkBytes)
    {
        using var fabric = NewFabric(seed, tornChunkBytes, out var scheduler);
        fabric.GetEndpoint(Memory).Regions[0].GetSpan(0, ValueBytes).Fill(0xAA);
        var write = new VerbBatch { CompletionHandler = new Handler(_ => { }) };
        write.Write(0, 0, Bytes(0xBB, ValueBytes));
        var seen = new byte[ValueBytes];
        var read = new VerbBatch { CompletionHandler = new Handler(_ => { }) };
        read.Read(0, 0, seen);
        fabric.Connect(Writer, Memory).Post(write);
        fabric.Connect(Reader, Memory).Post(read);
        scheduler.RunUntilIdle();

        var old = seen.All(b => b == 0xAA);
        var fresh = seen.All(b => b == 0xBB);
        return old ? Outcome.Old : fresh ? Outcome.New : Outcome.Torn;
    }

    private static string Trace(int seed)
    {
        // Three clients each post a torn WRITE and an FAA per batch; the old values the FAAs
        // return and the order of completions record the interleaving.
        using var fabric = NewFabric(seed, 16, out var scheduler);
        var log = new List<string>();
        for (var client = 1u; client <= 3; client++)
        {
            var queuePair = fabric.Connect(new NodeId(client), Memory);
            for (var i = 0; i < 3; i++)
            {
                var name = $"c{client}.{i}";
                var batch = new VerbBatch
                {
                    CompletionHandler = new Handler(b => log.Add($"{name}:{b.Result(1)}")),
                };
                batch.Write(0, 64, Bytes((byte)client, 48));
                batch.FetchAndAdd(0, 8, client);
                queuePair.Post(batch);
            }
        }

        scheduler.RunUntilIdle();
        return string.Join(",", log);
    }

    private static InProcFabric NewFabric(int seed, int tornChunkBytes, out DeterministicScheduler scheduler)
    {
        scheduler = new DeterministicScheduler(seed);
        var fabric = new InProcFabric(new InProcFabricOptions
        {
            Scheduler = scheduler,
            TornWriteChunkBytes = tornChunkBytes,
        });
        fabric.AddEndpoint(Memory).RegisterRegion(4096);
        return fabric;
    }

    private static long Word(InProcFabric fabric, int offset) =>
        (long)fabric.GetEndpoint(Memory).Regions[0].ReadWord(offset);

    private static byte[] Bytes(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

    private enum Outcome
    {
        Old,
        New,
        Torn,
    }

    private sealed class Handler(Action<VerbBatch> onCompleted) : IBatchCompletionHandler
    {
        public void OnBatchCompleted(VerbBatch batch) => onCompleted(batch);
    }
}
