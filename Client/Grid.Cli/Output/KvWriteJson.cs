namespace Grid.Cli.Output;

/// <summary><c>grid kv put</c> and each acknowledged line of <c>grid kv import</c>.</summary>
internal sealed record KvWriteJson(string Key, long Version);
