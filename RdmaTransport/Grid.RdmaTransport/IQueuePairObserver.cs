namespace Grid.RdmaTransport;

/// <summary>
/// Follows one queue pair from outside (<see cref="QueuePair.Observer"/>): every completion,
/// before the caller sees it, and the close. Both run on the thread that completes or closes the
/// pair, possibly inside a post; they must not block and must not post on that pair.
/// </summary>
internal interface IQueuePairObserver
{
    void OnBatchCompleted(QueuePair source, VerbBatch batch, TransportError error);

    void OnClosed(QueuePair source);
}
