using System.Text.Json.Serialization;
using Grid.Grains.Accounts;
using Grid.Grains.Matching;

namespace Grid.Cli.Output;

/// <summary>
/// Source-generated JSON of the client commands' <c>--json</c> output (no reflection). Names are
/// snake_case, enums are their names, as in the bench JSON.
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = false,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(KvValueJson))]
[JsonSerializable(typeof(KvWriteJson))]
[JsonSerializable(typeof(KvDeleteJson))]
[JsonSerializable(typeof(AccountView))]
[JsonSerializable(typeof(DepositJson))]
[JsonSerializable(typeof(TransferResult))]
[JsonSerializable(typeof(BalanceJson))]
[JsonSerializable(typeof(HistoryJson))]
[JsonSerializable(typeof(OrderResult))]
[JsonSerializable(typeof(BookJson))]
[JsonSerializable(typeof(TradesJson))]
[JsonSerializable(typeof(StatusJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
