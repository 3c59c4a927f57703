using Grid.Cli.Commands;
using Grid.Cli.Tests.Cluster;

namespace Grid.Cli.Tests.Commands;

/// <summary>
/// Bad command lines exit 2 with one line saying what is wrong, before any connection: the
/// gateway named here is a free port, which would make a connection attempt exit 3 instead.
/// </summary>
public sealed class ArgumentTests
{
    private static readonly string DeadGateway = $"127.0.0.1:{FreePorts.Next()}";

    public static TheoryData<string, string[]> BadCommandLines() => new()
    {
        { "AMOUNT must be a positive whole number of minor units", ["account", "deposit", "alice", "-5"] },
        { "not '12.50'", ["account", "deposit", "alice", "12.50"] },
        { "not 'ten'", ["account", "deposit", "alice", "ten"] },
        { "not '0'", ["account", "transfer", "alice", "bob", "0"] },
        { "FROM and TO must be different accounts", ["account", "transfer", "alice", "alice", "5"] },
        { "--id must not be blank", ["account", "deposit", "alice", "5", "--id", " "] },
        { "--max must be between 1 and 1000", ["account", "history", "alice", "--max", "5000"] },
        { "--tif must be gtc, ioc or fok, not 'day'", ["orders", "submit", "X", "buy", "10", "--price", "5", "--tif", "day"] },
        { "SIDE must be buy or sell, not 'hold'", ["orders", "submit", "X", "hold", "10", "--price", "5"] },
        { "a limit order needs --price", ["orders", "submit", "X", "buy", "10"] },
        { "--market and --price exclude each other", ["orders", "submit", "X", "buy", "10", "--market", "--price", "3"] },
        { "QTY must be a positive whole quantity", ["orders", "submit", "X", "sell", "0", "--market"] },
        { "--price must be a positive whole price in ticks", ["orders", "submit", "X", "sell", "3", "--price", "1.5"] },
        { "--id must be a positive order id", ["orders", "submit", "X", "sell", "3", "--market", "--id", "0"] },
        { "ORDERID must be a positive order id", ["orders", "cancel", "X", "abc"] },
        { "replace needs --qty N, --price P or both", ["orders", "replace", "X", "7"] },
        { "--qty must be a positive whole quantity", ["orders", "replace", "X", "7", "--qty", "0"] },
        { "--levels must be between 1 and 1000", ["orders", "book", "X", "--levels", "0"] },
        { "SYMBOL must not be blank", ["orders", "trades", "  "] },
        { "KEY must not contain control characters", ["kv", "get", "a\tb"] },
        { "KEY must be 1-512 bytes of UTF-8, not 513", ["kv", "put", new string('k', 513), "v"] },
        { "KEY must be 1-512 bytes of UTF-8, not 514", ["kv", "get", new string('é', 257)] },
        { "SYMBOL must be 1-512 bytes of UTF-8, not 513", ["orders", "book", new string('s', 513)] },
        { "ID must be 1-128 characters, not 129", ["account", "open", new string('a', 129)] },
        { "TO must be 1-128 characters, not 129", ["account", "transfer", "alice", new string('b', 129), "5"] },
        { "--id must be 1-128 characters, not 129", ["account", "deposit", "alice", "5", "--id", new string('d', 129)] },
        { "VALUE is 524,289 bytes", ["kv", "put", "k", new string('v', 512 * 1024 + 1)] },
        { "FILE '/no/such/file.tsv' does not exist", ["kv", "import", "/no/such/file.tsv"] },
        { "--key-timeout must be more than 0", ["kv", "import", "--key-timeout", "0"] },
        { "--health-url must be an http:// or https:// URL", ["status", "--health-url", "ftp://x/health"] },
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public async Task Bad_arguments_exit_2_with_the_reason(string expected, string[] args)
    {
        var run = await Cli.RunAsync([.. args, "--gateway", DeadGateway, "--connect-timeout", "0.5"]);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.StartsWith("grid: ", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", run.Output);
    }

    public static TheoryData<string, string[]> BadConnectionOptions() => new()
    {
        { "--gateway 'nonsense' is not HOST:PORT", ["--gateway", "nonsense"] },
        { "--gateway '127.0.0.1:0' is not HOST:PORT", ["--gateway", "127.0.0.1:0"] },
        { "--gateway '::1:30000' is not HOST:PORT", ["--gateway", "::1:30000"] },
        { "--gateway '127.0.0.1:99999' is not HOST:PORT", ["--gateway", "127.0.0.1:30000", "--gateway", "127.0.0.1:99999"] },
        { "--gateway and --redis exclude each other", ["--gateway", "127.0.0.1:30000", "--redis", "localhost:6379"] },
        { "--connect-timeout must be more than 0", ["--connect-timeout", "0"] },
        { "ServiceId must be 1-256 printable characters", ["--service-id", " "] },
    };

    [Theory]
    [MemberData(nameof(BadConnectionOptions))]
    public async Task Bad_connection_options_exit_2_on_every_client_command(string expected, string[] options)
    {
        foreach (var command in (string[][])[["kv", "get", "k"], ["account", "balance", "a"], ["orders", "book", "X"], ["status"]])
        {
            var run = await Cli.RunAsync([.. command, .. options]);

            Assert.True(run.ExitCode == ExitCodes.Usage, $"{string.Join(' ', command)}: {run}");
            Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("kv", "frobnicate")]
    [InlineData("kv", "get")]
    [InlineData("account", "deposit", "alice")]
    [InlineData("orders", "book", "X", "--levels", "many")]
    [InlineData("status", "--no-such-option")]
    public async Task Parse_errors_exit_2_with_one_line(params string[] args)
    {
        var run = await Cli.RunAsync(args);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.EndsWith("(see 'grid --help')", run.Error.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }
}
