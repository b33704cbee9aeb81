using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ServerlessRec.Onnx;

/// <summary>
/// A float32 matrix artefact (<c>item_vectors.f32</c>, <c>history_embeddings.f32</c>) in a local file, read one row at a
/// time: the rows a request needs come from the operating system's page cache, not from the process's heap, so a
/// serving instance's memory does not grow with the catalog. The file is deleted when this is disposed. Thread-safe.
/// </summary>
public sealed class VectorRowFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;

    /// <summary>Opens a file of <paramref name="rows"/> rows of <paramref name="dimensions"/> floats.</summary>
    /// <exception cref="ModelIntegrityException">The file's size does not match.</exception>
    public VectorRowFile(string path, long rows, int dimensions)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        _path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        var length = RandomAccess.GetLength(_handle);
        if (length != rows * dimensions * sizeof(float))
        {
            _handle.Dispose();
            throw new ModelIntegrityException($"{Path.GetFileName(path)} holds {length} bytes, not {rows} rows of {dimensions} floats");
        }

        Rows = rows;
        Dimensions = dimensions;
    }

    /// <summary>Gets the number of rows.</summary>
    public long Rows { get; }

    /// <summary>Gets the floats per row.</summary>
    public int Dimensions { get; }

    /// <summary>Reads row <paramref name="row"/> (0-based) into <paramref name="destination"/>.</summary>
    public void Read(long row, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        var bytes = MemoryMarshal.AsBytes(destination[..Dimensions]);
        var offset = row * Dimensions * sizeof(float);
        for (var done = 0; done < bytes.Length;)
        {
            var read = RandomAccess.Read(_handle, bytes[done..], offset + done);
            if (read == 0)
            {
                throw new ModelIntegrityException($"{Path.GetFileName(_path)} ended before row {row}");
            }

            done += read;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _handle.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // A copy left in the temp folder costs disk only; the next start of the instance gets a new folder.
        }
    }
}
