namespace Grid.Cli.Output;

/// <summary><c>grid kv get</c>: the value as UTF-8 text.</summary>
internal sealed record KvValueJson(string Key, string Value, long Version);
