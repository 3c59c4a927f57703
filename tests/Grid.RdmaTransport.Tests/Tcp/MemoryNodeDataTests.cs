using System.Buffers.Binary;
using Grid.RdmaTransport.Tcp;
using Grid.RdmaTransport.Tests.Support;

namespace Grid.RdmaTransport.Tests.Tcp;

/// <summary>
/// grid-memnode processes killed and started again: with <c>--data</c> the memory and the
/// incarnation survive SIGKILL, without it the node comes back empty under a new incarnation,
/// and a data file that does not fit the arguments is refused with exit code 2.
/// </summary>
public sealed class MemoryNodeDataTests
{
    private static readonly NodeId Writer = new(1);
    private static readonly NodeId Owner = new(7);

    [Fact]
    public async Task Memory_written_over_tcp_survives_sigkill_with_its_incarnation()
    {
        await using var home = new MemoryNodeHome();
        string[] arguments = ["--data", home.DataPath, "--owned-region", $"{Owner.Value}:4KiB",
            "--cluster-id", "test-cluster", "--flush-interval", "0.2"];
        var payload = Enumerable.Range(0, 3000).Select(i => (byte)(i * 7)).ToArray();
        var node = await home.StartAsync(arguments);
        MemoryNodeIdentity? before;
        await using (var pair = await home.ConnectAsync(node, Writer))
        await using (var owner = await home.ConnectAsync(node, Owner))
        {
            before = pair.RemoteIdentity;
            await pair.WriteAsync(0, 4096, payload);
            Assert.Equal(0UL, await pair.CompareAndSwapAsync(0, 0, 0, 11));
            Assert.Equal(0UL, await pair.FetchAndAddAsync(0, 8, 5));
            await owner.WriteAsync(1, 64, Word(77));
        }

        node.Kill();
        await node.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var restarted = await home.StartAsync(arguments);
        await using var again = await home.ConnectAsync(restarted, Writer);
        var seen = new byte[payload.Length];
        await again.ReadAsync(0, 4096, seen);
        var owned = new byte[8];
        await again.ReadAsync(1, 64, owned);

        Assert.NotNull(before);
        Assert.Equal("test-cluster", before.ClusterId);
        Assert.Equal(before, again.RemoteIdentity);
        Assert.Equal(payload, seen);
        Assert.Equal(77UL, BinaryPrimitives.ReadUInt64LittleEndian(owned));
        Assert.Equal(11UL, await again.CompareAndSwapAsync(0, 0, 11, 12));
        Assert.Equal(5UL, await again.FetchAndAddAsync(0, 8, 1));
        var log = await MemoryNodeHome.WaitForLogAsync(restarted, "(reopened)");
        Assert.Contains($"of cluster test-cluster, incarnation {before.IncarnationText}", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_data_a_restarted_node_is_empty_under_a_new_incarnation()
    {
        await using var home = new MemoryNodeHome();
        var node = await home.StartAsync();
        MemoryNodeIdentity? before;
        await using (var pair = await home.ConnectAsync(node, Writer))
        {
            before = pair.RemoteIdentity;
            await pair.WriteAsync(0, 0, Word(42));
        }

        node.Kill();
        await node.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var restarted = await home.StartAsync();
        await using var again = await home.ConnectAsync(restarted, Writer);
        var seen = new byte[8];
        await again.ReadAsync(0, 0, seen);

        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(seen));
        Assert.NotNull(before);
        Assert.NotNull(again.RemoteIdentity);
        Assert.Equal(MemoryNodeIdentity.DefaultClusterId, again.RemoteIdentity.ClusterId);
        Assert.NotEqual(before.Incarnation, again.RemoteIdentity.Incarnation);
        var log = await MemoryNodeHome.WaitForLogAsync(restarted, "memory volatile");
        Assert.Contains($"incarnation {again.RemoteIdentity.IncarnationText}", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_file_in_use_is_refused_and_its_node_keeps_serving()
    {
        await using var home = new MemoryNodeHome();
        var node = await home.StartAsync("--data", home.DataPath);

        var (exitCode, _, error) = await home.RunAsync([.. MemoryNodeHome.Size(MemoryNodeHome.RegionBytes), "--data", home.DataPath]);

        Assert.Equal(2, exitCode);
        Assert.Equal(
            $"grid-memnode: data file {home.DataPath} is in use by another process (it holds the file's lock): " +
            "one grid-memnode serves a data file at a time",
            error.Trim());
        await using var pair = await home.ConnectAsync(node, Writer);
        await pair.FetchAndAddAsync(0, 0, 1);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "size", "holds region 0 of 1MiB and no owned regions, but the arguments ask for region 0 of 2MiB" },
        { "owned", "but the arguments ask for region 0 of 1MiB and owned regions 7:4KiB" },
        { "node", "holds the memory of node-1000, not of node-1001 (--node-id)" },
        { "cluster", "belongs to cluster 'grid', not to 'elsewhere' (--cluster-id)" },
        { "corrupt", "has a header whose checksum does not match: the header is corrupt" },
        { "truncated", "is shorter than its 63-byte header: truncated" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_data_file_that_does_not_fit_exits_2_and_is_left_alone(string what, string expected)
    {
        await using var home = new MemoryNodeHome();
        var node = await home.StartAsync("--data", home.DataPath);
        await using (var pair = await home.ConnectAsync(node, Writer))
        {
            await pair.WriteAsync(0, 0, Word(42));
        }

        node.Signal("TERM");
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        string[] arguments = [.. MemoryNodeHome.Size(MemoryNodeHome.RegionBytes), "--data", home.DataPath];
        switch (what)
        {
            case "size":
                arguments = [.. MemoryNodeHome.Size(2 << 20), "--data", home.DataPath];
                break;
            case "owned":
                arguments = [.. arguments, "--owned-region", $"{Owner.Value}:4KiB"];
                break;
            case "node":
                arguments = [.. arguments, "--node-id", "1001"];
                break;
            case "cluster":
                arguments = [.. arguments, "--cluster-id", "elsewhere"];
                break;
            case "corrupt":
                Patch(home.DataPath, stream =>
                {
                    stream.Position = 30; // inside the incarnation
                    stream.WriteByte(0x5A);
                });
                break;
            default:
                Patch(home.DataPath, stream => stream.SetLength(20));
                break;
        }

        var file = await File.ReadAllBytesAsync(home.DataPath);
        var (exitCode, output, error) = await home.RunAsync(arguments);

        Assert.Equal(2, exitCode);
        Assert.DoesNotContain("listening on", output, StringComparison.Ordinal);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"grid-memnode: data file {home.DataPath} ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Equal(file, await File.ReadAllBytesAsync(home.DataPath));
    }

    private static void Patch(string path, Action<FileStream> change)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        change(stream);
    }

    private static byte[] Word(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }
}
