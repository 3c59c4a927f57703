using Grid.Cli.Commands;

// Socket completions run on the socket engine's thread instead of hopping to the thread pool:
// one thread wake-up less per roundtrip. On a small VM that is the difference between ~30 µs and
// ~120 µs per loopback roundtrip (README, transport benchmark). Read once, when the first socket
// is created, so it must be set before anything touches the network. Only for the benchmarks:
// the Orleans client of the other commands is not written for completions on the socket thread.
if (args.Length > 0 && args[0] == "bench")
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

return await GridCommand.InvokeAsync(args).ConfigureAwait(false);
