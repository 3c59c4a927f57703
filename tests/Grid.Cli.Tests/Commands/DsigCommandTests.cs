using Grid.Cli.Commands;
using Grid.Replication.DSig;

namespace Grid.Cli.Tests.Commands;

/// <summary><c>grid dsig keygen</c>: key files DSig loads, never overwritten.</summary>
public sealed class DsigCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("grid-dsig-keygen-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Keygen_writes_a_pair_that_DSig_loads_and_the_private_key_is_owner_only()
    {
        var privateKey = Path.Combine(_directory, "node1.key");
        var publicKey = Path.Combine(_directory, "node1.pub");

        var run = await Cli.RunAsync("dsig", "keygen", "--private-key", privateKey, "--public-key", publicKey);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains(privateKey, run.Output, StringComparison.Ordinal);
        using var key = DsigKeyFiles.LoadPrivateKey(privateKey);
        Assert.Equal(key.PublicKey, DsigKeyFiles.LoadPublicKey(publicKey));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privateKey));
        }
    }

    [Fact]
    public async Task Keygen_refuses_to_overwrite_a_private_key()
    {
        var privateKey = Path.Combine(_directory, "node1.key");
        var publicKey = Path.Combine(_directory, "node1.pub");
        Assert.Equal(ExitCodes.Success,
            (await Cli.RunAsync("dsig", "keygen", "--private-key", privateKey, "--public-key", publicKey)).ExitCode);
        var before = await File.ReadAllBytesAsync(privateKey, TestContext.Current.CancellationToken);

        var again = await Cli.RunAsync(
            "dsig", "keygen", "--private-key", privateKey, "--public-key", Path.Combine(_directory, "other.pub"));

        Assert.Equal(ExitCodes.Failure, again.ExitCode);
        Assert.StartsWith("grid: dsig keygen: ", again.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(privateKey, TestContext.Current.CancellationToken));
        Assert.False(File.Exists(Path.Combine(_directory, "other.pub")));
    }

    [Fact]
    public async Task Keygen_refuses_to_overwrite_a_public_key()
    {
        var publicKey = Path.Combine(_directory, "node1.pub");
        Assert.Equal(ExitCodes.Success, (await Cli.RunAsync(
            "dsig", "keygen", "--private-key", Path.Combine(_directory, "node1.key"), "--public-key", publicKey)).ExitCode);
        var before = await File.ReadAllBytesAsync(publicKey, TestContext.Current.CancellationToken);
        var otherPrivate = Path.Combine(_directory, "other.key");

        var again = await Cli.RunAsync("dsig", "keygen", "--private-key", otherPrivate, "--public-key", publicKey);

        Assert.Equal(ExitCodes.Failure, again.ExitCode);
        Assert.Contains(publicKey, again.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(publicKey, TestContext.Current.CancellationToken));
        Assert.False(File.Exists(otherPrivate));
    }

    [Fact]
    public async Task A_public_key_that_cannot_be_written_leaves_no_private_key_behind()
    {
        var privateKey = Path.Combine(_directory, "node1.key");
        var publicKey = Path.Combine(_directory, "missing", "node1.pub");

        var run = await Cli.RunAsync("dsig", "keygen", "--private-key", privateKey, "--public-key", publicKey);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.False(File.Exists(privateKey));
    }

    [Theory]
    [InlineData("dsig", "keygen", "--public-key", "x.pub")]
    [InlineData("dsig", "keygen", "--private-key", "x.key")]
    [InlineData("dsig", "keygen", "--private-key", "same", "--public-key", "same")]
    public async Task Missing_or_clashing_files_are_usage_errors(params string[] args)
    {
        var run = await Cli.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith("grid: ", run.Error, StringComparison.Ordinal);
    }
}
