using Grid.RdmaTransport;

namespace Grid.Cli.Bench;

/// <summary>
/// The fabric rows of <c>grid bench transport</c>. Each loop fills one <see cref="VerbBatch"/>
/// once and posts it again and again (a completed batch is reusable as it is), so a loop
/// allocates nothing per roundtrip and the numbers are the fabric's.
/// </summary>
internal static class VerbWorkload
{
    /// <summary>The ops, as named in the table and the JSON.</summary>
    public static readonly IReadOnlyList<string> Ops = ["read64", "write64", "cas", "faa", "batch"];

    /// <summary>
    /// Every loop owns one slot of region 0 (READ source, WRITE target, CAS word, FAA word), so
    /// concurrent loops never touch the same bytes: the only contention is the fabric's own.
    /// </summary>
    public const int SlotBytes = 256;

    private const uint RegionId = 0;
    private const int PayloadBytes = 64;
    private const int ReadOffset = 0;
    private const int WriteOffset = 64;
    private const int CasOffset = 128;
    private const int FaaOffset = 136;

    public static long RequiredBytes(int loops) => (long)loops * SlotBytes;

    public static BenchRow CreateRow(QueuePair queuePair, string op, int outstanding)
    {
        ArgumentNullException.ThrowIfNull(queuePair);
        _ = CreateBatch(op, loop: 0); // rejects an unknown op now rather than mid-run
        return new BenchRow(queuePair.Fabric, op, outstanding, loop =>
        {
            var batch = CreateBatch(op, loop);
            return () => queuePair.PostAsync(batch);
        })
        {
            // A failed op leaves the queue pair in the error state, which flushes every later
            // post; reset it so one error does not turn the rest of the row into errors.
            RecoverAsync = () => queuePair.State == QueuePairState.Error
                ? queuePair.ResetAsync()
                : ValueTask.CompletedTask,
        };
    }

    /// <summary>
    /// Fails with a clear message when region 0 of <paramref name="queuePair"/>'s target is too
    /// small or lacks rights, instead of a row full of access errors.
    /// </summary>
    public static void EnsureRegionFits(QueuePair queuePair, int loops)
    {
        ArgumentNullException.ThrowIfNull(queuePair);
        var required = RequiredBytes(loops);
        var region = queuePair.RemoteRegions.Where(r => r.Id == RegionId)
            .Select(r => (RegionInfo?)r).FirstOrDefault();
        if (region is null || region.Value.Length < required)
        {
            throw new TransportException(TransportError.OutOfRange,
                $"{queuePair.RemoteNode} needs a region {RegionId} of at least " +
                $"{ByteSize.Format(required)} for this bench");
        }

        if (!region.Value.Rights.HasFlag(AccessRights.All))
        {
            throw new TransportException(TransportError.AccessDenied,
                $"{queuePair.RemoteNode} grants {region.Value.Rights} on region {RegionId}; " +
                "this bench needs read, write and atomic rights");
        }
    }

    private static VerbBatch CreateBatch(string op, int loop)
    {
        var slot = (ulong)loop * SlotBytes;
        var batch = new VerbBatch(capacity: 3);
        switch (op)
        {
            case "read64":
                batch.Read(RegionId, slot + ReadOffset, new byte[PayloadBytes]);
                break;
            case "write64":
                batch.Write(RegionId, slot + WriteOffset, Payload(loop));
                break;
            case "cas":
                // 0 -> 0: whether it swaps does not matter, the target does the same work.
                batch.CompareAndSwap(RegionId, slot + CasOffset, expected: 0, desired: 0);
                break;
            case "faa":
                batch.FetchAndAdd(RegionId, slot + FaaOffset, delta: 1);
                break;
            case "batch":
                batch.Read(RegionId, slot + ReadOffset, new byte[PayloadBytes]);
                batch.Write(RegionId, slot + WriteOffset, Payload(loop));
                batch.CompareAndSwap(RegionId, slot + CasOffset, expected: 0, desired: 0);
                break;
            default:
                throw new ArgumentOutOfRangeException(
                    nameof(op), op, $"not one of {string.Join(", ", Ops)}");
        }

        return batch;
    }

    private static byte[] Payload(int loop)
    {
        var payload = new byte[PayloadBytes];
        Array.Fill(payload, (byte)loop);
        return payload;
    }
}
