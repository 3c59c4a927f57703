using Grid.RdmaTransport.Storage;
using Grid.RdmaTransport.Tcp;

namespace Grid.RdmaTransport.Tests.Storage;

/// <summary>
/// The data file in this process: layout, identity kept across opens, and every way a file that
/// does not fit is refused instead of reformatted. The process tests in
/// <c>Tcp/MemoryNodeDataTests</c> check the same through a killed and restarted grid-memnode.
/// </summary>
public sealed class MemoryNodeDataFileTests : IDisposable
{
    private static readonly NodeId Node = new(1000);
    private static readonly OwnedRegion Owned = new(new NodeId(7), 5000);
    private readonly string _directory = Directory.CreateTempSubdirectory("grid-datafile-").FullName;

    private string PathOf(string name) => Path.Combine(_directory, name);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_new_file_is_made_with_page_aligned_regions_and_no_leftovers()
    {
        var wanted = Header();
        using (var file = MemoryNodeDataFile.OpenOrCreate(PathOf("node.data"), wanted))
        {
            Assert.True(file.Created);
            Assert.Equal(wanted.Identity, file.Identity);
            Assert.Equal(0, file.RegionMemory(0) % DataFileHeader.PageBytes);
            Assert.Equal(0, file.RegionMemory(1) % DataFileHeader.PageBytes);
            Assert.Equal(64 << 10, file.RegionMemory(1) - file.RegionMemory(0));
        }

        Assert.Equal(4096 + 65536 + 8192, new FileInfo(PathOf("node.data")).Length);
        Assert.Equal(["node.data"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Reopening_keeps_the_bytes_and_the_identity_and_ignores_the_fresh_one()
    {
        var path = PathOf("node.data");
        MemoryNodeIdentity first;
        using (var file = MemoryNodeDataFile.OpenOrCreate(path, Header()))
        using (var endpoint = Serve(file))
        {
            first = endpoint.Identity;
            endpoint.Regions[0].WriteWord(64, 0x1122334455667788);
            endpoint.Regions[1].GetSpan(4992, 8).Fill(0xCD);
        }

        using var reopened = MemoryNodeDataFile.OpenOrCreate(path, Header());
        using var again = Serve(reopened);

        Assert.False(reopened.Created);
        Assert.Equal(first, again.Identity);
        Assert.Equal(0x1122334455667788UL, again.Regions[0].ReadWord(64));
        Assert.All(again.Regions[1].GetSpan(4992, 8).ToArray(), b => Assert.Equal(0xCD, b));
    }

    [Fact]
    public void Atomics_on_mapped_memory_are_atomic()
    {
        using var file = MemoryNodeDataFile.OpenOrCreate(PathOf("node.data"), Header());
        using var endpoint = Serve(file);
        var region = endpoint.Regions[0];

        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                VerbExecutor.FetchAndAdd(region, 128, 1);
                var seen = region.ReadWord(136);
                while (VerbExecutor.CompareAndSwap(region, 136, seen, seen + 1) != seen)
                {
                    seen = region.ReadWord(136);
                }
            }
        });

        Assert.Equal(40_000UL, region.ReadWord(128));
        Assert.Equal(40_000UL, region.ReadWord(136));
    }

    [Fact]
    public void A_file_served_by_one_holder_is_refused_to_a_second()
    {
        var path = PathOf("node.data");
        using var holder = MemoryNodeDataFile.OpenOrCreate(path, Header());

        var error = Assert.Throws<DataFileException>(() => MemoryNodeDataFile.OpenOrCreate(path, Header()));

        Assert.Contains("in use by another process", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Mismatches => new()
    {
        { "node", "holds the memory of node-1000, not of node-1001 (--node-id)" },
        { "cluster", "belongs to cluster 'grid', not to 'other' (--cluster-id)" },
        { "size", "holds region 0 of 64KiB and owned regions 7:5000B, but the arguments ask for region 0 of 128KiB" },
        { "owned", "but the arguments ask for region 0 of 64KiB and no owned regions" },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void A_file_made_for_another_node_cluster_or_layout_is_refused_and_left_alone(string what, string expected)
    {
        var path = PathOf("node.data");
        MemoryNodeDataFile.OpenOrCreate(path, Header()).Dispose();
        var before = File.ReadAllBytes(path);
        var wanted = what switch
        {
            "node" => Header() with { NodeId = new NodeId(1001) },
            "cluster" => Header(clusterId: "other"),
            "size" => Header() with { RegionBytes = 128 << 10 },
            _ => Header() with { OwnedRegions = [] },
        };

        var error = Assert.Throws<DataFileException>(() => MemoryNodeDataFile.OpenOrCreate(path, wanted));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"data file {path} ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(0, "is 0 bytes long, shorter than a data file header: truncated")]
    [InlineData(10, "is 10 bytes long, shorter than a data file header: truncated")]
    [InlineData(40, "is shorter than its 75-byte header: truncated")]
    [InlineData(4096, "regions need 77824: the file was truncated")]
    public void A_truncated_file_is_refused(int length, string expected)
    {
        var path = PathOf("node.data");
        MemoryNodeDataFile.OpenOrCreate(path, Header()).Dispose();
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(length);
        }

        var error = Assert.Throws<DataFileException>(() => MemoryNodeDataFile.OpenOrCreate(path, Header()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_flipped_bit_in_the_header_is_refused()
    {
        var header = Header();
        var bytes = new byte[header.HeaderBytes];
        header.Encode(bytes);
        Assert.True(DataFileHeader.TryDecode(bytes, out var decoded, out _));
        Assert.Equal(header.Identity, decoded.Identity);
        Assert.True(header.SameLayout(decoded));

        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));

            Assert.False(DataFileHeader.TryDecode(damaged, out _, out var problem), $"bit {bit} went unnoticed");
            Assert.False(string.IsNullOrEmpty(problem));
        }
    }

    [Fact]
    public void A_file_that_is_not_a_data_file_is_refused_by_its_magic()
    {
        var path = PathOf("notes.txt");
        File.WriteAllText(path, "these are not the bytes you are looking for");

        var error = Assert.Throws<DataFileException>(() => MemoryNodeDataFile.OpenOrCreate(path, Header()));

        Assert.Contains("not a data file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_in_a_missing_directory_names_the_directory()
    {
        var error = Assert.Throws<DataFileException>(
            () => MemoryNodeDataFile.OpenOrCreate(PathOf("missing/node.data"), Header()));

        Assert.Contains($"directory {PathOf("missing")} does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registrations_outside_the_files_layout_are_refused()
    {
        using var file = MemoryNodeDataFile.OpenOrCreate(PathOf("node.data"), Header());
        using var endpoint = new MemoryEndpoint(file);

        Assert.Throws<InvalidOperationException>(() => endpoint.RegisterRegion(1 << 20));
        endpoint.RegisterRegion(64 << 10);
        Assert.Throws<InvalidOperationException>(() => endpoint.Restart(keepMemory: false));
    }

    private static DataFileHeader Header(string clusterId = "grid") =>
        new(Node, MemoryNodeIdentity.Fresh(clusterId), 64 << 10, [Owned], 0);

    /// <summary>An endpoint over the file, registered as grid-memnode registers it.</summary>
    private static MemoryEndpoint Serve(MemoryNodeDataFile file)
    {
        var endpoint = new MemoryEndpoint(file);
        endpoint.RegisterRegion(file.Header.RegionBytes);
        endpoint.RegisterOwnedRegion(Owned.Bytes, Owned.Owner);
        return endpoint;
    }
}
