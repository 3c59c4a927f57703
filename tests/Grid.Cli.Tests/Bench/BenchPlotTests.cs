using System.Buffers.Binary;
using Grid.Cli.Bench;
using Grid.Cli.Commands;

namespace Grid.Cli.Tests.Bench;

/// <summary>
/// <c>--plot</c>: a PNG of the rows (and of the throughput around a crash) drawn from the same
/// results as the table, and paths checked before a run starts.
/// </summary>
public sealed class BenchPlotTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("grid-bench-plot-");

    [Fact]
    public void The_plot_is_a_png_with_a_line_per_row()
    {
        var three = Path.Combine(_directory.FullName, "three.png");
        var six = Path.Combine(_directory.FullName, "six.png");

        var threeHigh = BenchPlot.Write(three, "test", Rows(3));
        var sixHigh = BenchPlot.Write(six, "test", Rows(6));

        Assert.Equal((BenchPlot.Width, threeHigh), PngSize(three));
        Assert.Equal((BenchPlot.Width, sixHigh), PngSize(six));
        Assert.True(sixHigh > threeHigh, $"6 rows drawn {sixHigh} px high, 3 rows {threeHigh} px");
    }

    [Fact]
    public void A_crash_run_adds_the_throughput_panel()
    {
        var rows = Rows(2);
        var plain = BenchPlot.Write(Path.Combine(_directory.FullName, "plain.png"), "swarm", rows);
        var systems = new List<BenchSystemReport>
        {
            new()
            {
                System = "swarm",
                Timeline = [.. Enumerable.Range(0, 20).Select(i => new BenchTimelinePoint(i * 100, i == 5 ? 3_000 : 12_000))],
                Crash = new BenchCrashReport
                {
                    AtMilliseconds = 512, MemoryNode = 0, FailedOps = 0, LostWrites = 0, CheckedKeys = 10, CheckErrors = 0,
                },
            },
        };
        var path = Path.Combine(_directory.FullName, "crash.png");

        var withTimeline = BenchPlot.Write(path, "swarm", rows, systems);

        Assert.True(withTimeline > plain, $"with a timeline {withTimeline} px, without {plain} px");
        Assert.Equal((BenchPlot.Width, withTimeline), PngSize(path));
    }

    [Fact]
    public void Rows_without_completed_ops_are_drawn_without_a_point_and_no_rows_is_refused()
    {
        var rows = Rows(2).Append(Row("dm-abd", "get", 1, count: 0, p50: 0, p99: 0)).ToList();
        var path = Path.Combine(_directory.FullName, "empty-row.png");

        BenchPlot.Write(path, "swarm", rows);

        Assert.Equal(BenchPlot.Width, PngSize(path).Width);
        Assert.Throws<ArgumentException>(() => BenchPlot.Write(Path.Combine(_directory.FullName, "none.png"), "swarm", []));
    }

    [Fact]
    public void Labels_tell_rows_apart_by_outstanding_ops_and_message_size()
    {
        var row = Row("tcp", "read64", 16);
        Assert.Equal("tcp read64", BenchPlot.Label(row, withOutstanding: false));
        Assert.Equal("tcp read64 x16", BenchPlot.Label(row, withOutstanding: true));

        var signature = Row("dsig", "sign", 1) with { Extra = new() { ["message_bytes"] = 1024 } };
        Assert.Equal("dsig sign 1,024 B", BenchPlot.Label(signature, withOutstanding: false));
    }

    [Fact]
    public void Plot_and_json_paths_are_checked_before_the_run()
    {
        var png = Path.Combine(_directory.FullName, "ok.png");
        Assert.Equal(new BenchOutputFiles(null, png), BenchOutputFiles.Check(null, png));

        var notPng = Assert.Throws<ArgumentException>(() => BenchOutputFiles.Check(null, "results.svg"));
        Assert.Contains("--plot writes a PNG image: name the file *.png, not 'results.svg'", notPng.Message, StringComparison.Ordinal);
        var noDirectory = Assert.Throws<IOException>(() => BenchOutputFiles.Check(null, "/no/such/directory/p.png"));
        Assert.Contains("--plot: the directory '/no/such/directory' does not exist", noDirectory.Message, StringComparison.Ordinal);
        var noJsonDirectory = Assert.Throws<IOException>(() => BenchOutputFiles.Check("/no/such/directory/r.json", null));
        Assert.Contains("--json: the directory", noJsonDirectory.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("transport")]
    [InlineData("swarm")]
    [InlineData("grains")]
    [InlineData("dsig")]
    public async Task Every_bench_refuses_a_bad_plot_path_with_exit_2(string bench)
    {
        Assert.Equal(ExitCodes.Usage, await GridCommand.InvokeAsync(["bench", bench, "--plot", "results.svg"]));
        Assert.Equal(ExitCodes.Usage, await GridCommand.InvokeAsync(["bench", bench, "--plot", "/no/such/directory/p.png"]));
    }

    [Fact]
    public async Task A_transport_run_writes_its_plot()
    {
        var path = Path.Combine(_directory.FullName, "transport.png");

        var exitCode = await GridCommand.InvokeAsync(["bench", "transport", "--ops", "200", "--rounds", "1", "--plot", path]);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(BenchPlot.Width, PngSize(path).Width);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static List<BenchResult> Rows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Row($"system{i}", "get", 1, p50: 10 * (i + 1), p99: 100 * (i + 1)))];

    private static BenchResult Row(string system, string op, int outstanding, long count = 100, double p50 = 5, double p99 = 50) => new()
    {
        System = system,
        Op = op,
        Outstanding = outstanding,
        Count = count,
        P50Microseconds = p50,
        P99Microseconds = p99,
        OpsPerSecond = count,
        Errors = 0,
    };

    /// <summary>Width and height from the PNG signature and IHDR chunk.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG");
        Assert.True(bytes.AsSpan(12, 4).SequenceEqual("IHDR"u8), "no IHDR chunk first");
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }
}
