namespace Grid.RdmaTransport;

/// <summary>
/// Receives a batch's completion on the thread that completes it (the fabric's, or the
/// deterministic scheduler's caller). Used by protocol drivers and simulators that do not want
/// a Task per roundtrip. It must not block: it runs on the fabric's completion path.
/// </summary>
public interface IBatchCompletionHandler
{
    void OnBatchCompleted(VerbBatch batch);
}
