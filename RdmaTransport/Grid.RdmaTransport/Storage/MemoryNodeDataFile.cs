using System.IO.MemoryMappedFiles;

namespace Grid.RdmaTransport.Storage;

/// <summary>
/// The file a memory node keeps its regions in (<c>grid-memnode --data</c>): a
/// <see cref="DataFileHeader"/>, then the regions, page-aligned, mapped read-write and shared into
/// the process. Writes land in the kernel's page cache, which outlives the process: a node killed
/// with SIGKILL and started again on the same file finds every byte it had acknowledged. They
/// reach the disk when the kernel writes them back or on <see cref="Flush"/>; until then a power
/// loss of the host loses them.
/// <para>
/// The file is held open with an exclusive lock for as long as this object lives, so a second
/// process cannot serve the same memory; the lock goes with the process however it ends. A file
/// that does not match what the node was started with is refused, never reformatted.
/// </para>
/// </summary>
internal sealed unsafe class MemoryNodeDataFile : IDisposable
{
    private readonly FileStream _file;
    private readonly MemoryMappedFile _mapping;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly object _lock = new();
    private bool _disposed;

    private MemoryNodeDataFile(
        string path, FileStream file, DataFileHeader header, bool created)
    {
        Path = path;
        Header = header;
        Created = created;
        _file = file;
        _mapping = MemoryMappedFile.CreateFromFile(
            file, mapName: null, capacity: 0, MemoryMappedFileAccess.ReadWrite,
            HandleInheritability.None, leaveOpen: true);
        try
        {
            _view = _mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.ReadWrite);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _base = pointer + _view.PointerOffset;
        }
        catch
        {
            _view?.Dispose();
            _mapping.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public DataFileHeader Header { get; }

    /// <summary>True when this start made the file (its memory is new and zeroed).</summary>
    public bool Created { get; }

    public MemoryNodeIdentity Identity => Header.Identity;

    /// <summary>
    /// Opens the file at <paramref name="path"/> and checks it was made for
    /// <paramref name="wanted"/>'s node, cluster and layout, or creates it with
    /// <paramref name="wanted"/> (whose fresh identity it then keeps for good).
    /// Throws <see cref="DataFileException"/> with one line saying what is wrong.
    /// </summary>
    public static MemoryNodeDataFile OpenOrCreate(string path, DataFileHeader wanted)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(wanted);
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath) && TryCreate(fullPath, wanted) is { } created)
        {
            return created;
        }

        return Open(fullPath, wanted);
    }

    /// <summary>Start of region <paramref name="index"/> inside the mapping, page-aligned.</summary>
    public nint RegionMemory(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Header.RegionCount);
        return (nint)(_base + Header.RegionOffset(index));
    }

    /// <summary>
    /// Writes every changed page to the disk and waits for it (msync). Writes that run during a
    /// flush may or may not be in it, each page on its own: a flush is not a snapshot.
    /// </summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _view.Flush();
            }
        }
    }

    /// <summary>Unmaps the memory and releases the lock. Nothing may touch the regions afterwards.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _mapping.Dispose();
            _file.Dispose();
        }
    }

    /// <summary>
    /// Builds the file under a temporary name and links it into place only once its header is
    /// written, so no process ever finds a half-made file at <paramref name="path"/>: a crash
    /// during creation leaves at most the temporary file behind. Null when another process
    /// created the file first (then that one is opened, and refused while that process holds it).
    /// </summary>
    private static MemoryNodeDataFile? TryCreate(string path, DataFileHeader wanted)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DataFileException(path, $"cannot be created: directory {directory} does not exist");
        }

        var temporary = $"{path}.{Environment.ProcessId}.creating";
        FileStream? file = null;
        try
        {
            file = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
            // Sparse: disk blocks and page cache are used only where regions are written, so a
            // large node costs what it holds (as the calloc'd regions of a volatile node do).
            file.SetLength(wanted.FileBytes);
            var header = new byte[wanted.HeaderBytes];
            wanted.Encode(header);
            file.Write(header);
            file.Flush(flushToDisk: true);
            try
            {
                // No overwrite: the link fails if the path exists, atomically.
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                file.Dispose();
                File.Delete(temporary);
                return null;
            }

            return new MemoryNodeDataFile(path, file, wanted, created: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            TryDelete(temporary);
            throw new DataFileException(path, $"cannot be created: {ex.Message}", ex);
        }
    }

    private static MemoryNodeDataFile Open(string path, DataFileHeader wanted)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (IsLockConflict(ex))
        {
            throw new DataFileException(path,
                "is in use by another process (it holds the file's lock): " +
                "one grid-memnode serves a data file at a time", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"cannot be opened: {ex.Message}", ex);
        }

        try
        {
            var header = ReadHeader(path, file);
            Check(path, header, wanted);
            if (file.Length != header.FileBytes)
            {
                throw new DataFileException(path,
                    $"is {file.Length} bytes long, but its header's regions need {header.FileBytes}: " +
                    "the file was truncated or changed by something else");
            }

            return new MemoryNodeDataFile(path, file, header, created: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            file.Dispose();
            throw new DataFileException(path, $"cannot be read: {ex.Message}", ex);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static DataFileHeader ReadHeader(string path, FileStream file)
    {
        Span<byte> prefix = stackalloc byte[DataFileHeader.PrefixBytes];
        var read = file.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (!DataFileHeader.TryReadHeaderBytes(prefix[..read], out var headerBytes, out var problem))
        {
            throw new DataFileException(path, problem);
        }

        var bytes = new byte[headerBytes];
        file.Position = 0;
        read = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (!DataFileHeader.TryDecode(bytes.AsSpan(0, read), out var header, out problem))
        {
            throw new DataFileException(path, problem);
        }

        return header;
    }

    /// <summary>The file must be this node's, in this cluster, with these regions.</summary>
    private static void Check(string path, DataFileHeader found, DataFileHeader wanted)
    {
        if (found.NodeId != wanted.NodeId)
        {
            throw new DataFileException(path,
                $"holds the memory of {found.NodeId}, not of {wanted.NodeId} (--node-id): " +
                "every memory node needs its own file");
        }

        if (found.Identity.ClusterId != wanted.Identity.ClusterId)
        {
            throw new DataFileException(path,
                $"belongs to cluster '{found.Identity.ClusterId}', not to '{wanted.Identity.ClusterId}' (--cluster-id)");
        }

        if (!found.SameLayout(wanted))
        {
            throw new DataFileException(path,
                $"holds {found.DescribeLayout()}, but the arguments ask for {wanted.DescribeLayout()}: " +
                "a data file keeps the layout it was made with (--size, --owned-region)");
        }
    }

    /// <summary>
    /// The exclusive open failed because another process holds the file: EWOULDBLOCK from flock
    /// on Linux (11) and macOS (35), a sharing violation on Windows.
    /// </summary>
    private static bool IsLockConflict(IOException ex) =>
        ex.HResult is 11 or 35 or unchecked((int)0x80070020);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file is harmless and named after its process.
        }
    }
}
