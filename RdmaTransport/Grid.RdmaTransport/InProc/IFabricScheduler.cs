namespace Grid.RdmaTransport.InProc;

/// <summary>
/// Decides when the in-process fabric executes each posted batch at its target and when it
/// delivers the completion. <see cref="RealTimeScheduler"/> runs them now or after a modelled
/// delay; <see cref="DeterministicScheduler"/> leaves them pending until a test steps it, in an
/// order drawn from one seed. Every scheduler must keep per-queue-pair order: a batch executes
/// only after the batches posted before it on the same queue pair.
/// </summary>
public interface IFabricScheduler : IDisposable
{
    void Schedule(InFlightBatch flight);
}
