namespace Grid.RdmaTransport.Storage;

/// <summary>
/// A memory node's data file cannot be served: it is missing pieces, damaged, made for another
/// node, cluster or layout, or in use by another process. The message is one line that starts
/// with the file's path and says what to fix; a node never reformats a file it refuses.
/// </summary>
public sealed class DataFileException : Exception
{
    public DataFileException(string path, string problem, Exception? inner = null)
        : base($"data file {path} {problem}", inner)
    {
        Path = path;
    }

    public string Path { get; }
}
