using System.Text.Json.Serialization;

namespace Grid.Cli.Bench;

/// <summary>Source-generated serialization of bench reports (no reflection, trim-safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(BenchReport))]
// The value types allowed in BenchResult.Extra, which is written through its runtime types.
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
