namespace Grid.Cli.Output;

/// <summary><c>grid kv delete --json</c>: whether there was a value.</summary>
internal sealed record KvDeleteJson(string Key, bool Deleted);
