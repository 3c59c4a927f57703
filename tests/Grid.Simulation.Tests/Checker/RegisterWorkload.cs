namespace Grid.Simulation.Tests.Checker;

/// <summary>
/// What <see cref="RegisterSimulation"/> runs: how many clients, how many operations each issues,
/// which key each operation touches, and how often a client crashes with an operation in flight.
/// </summary>
internal sealed record RegisterWorkload(
    int Clients,
    Func<int, int> OperationsOf,
    Func<int, Random, string> KeyOf,
    int CrashPercent);
