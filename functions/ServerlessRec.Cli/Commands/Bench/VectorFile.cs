using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>Dense float vectors read from or written to <c>.fvecs</c> / <c>.fbin</c> files (the ANN-benchmark formats).</summary>
internal sealed record VectorFile(int Count, int Dimensions, float[] Vectors)
{
    private const int MaxDimensions = 65_536;

    public static VectorFileFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".fvecs" => VectorFileFormat.Fvecs,
        ".fbin" => VectorFileFormat.Fbin,
        _ => throw new CliUsageException($"\"{path}\": vector files must end in .fvecs or .fbin."),
    };

    /// <summary>Reads the first <paramref name="maxVectors"/> vectors (all by default).</summary>
    /// <exception cref="InvalidDataException">The file is truncated, or its header or a dimension is invalid.</exception>
    public static VectorFile Read(string path, int maxVectors = int.MaxValue)
    {
        EnsureLittleEndian();
        var format = FormatOf(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var length = stream.Length;
        Span<byte> header = stackalloc byte[8];
        if (format == VectorFileFormat.Fbin)
        {
            ReadExactly(stream, header, path, "the header (count and dimension, 8 bytes)");
            var count = BinaryPrimitives.ReadInt32LittleEndian(header);
            var dim = CheckDimension(BinaryPrimitives.ReadInt32LittleEndian(header[4..]), path, 0);
            if (count < 0)
            {
                throw new InvalidDataException($"{path}: the header gives a negative vector count ({count}).");
            }

            var expected = 8 + ((long)count * dim * sizeof(float));
            if (length < expected)
            {
                throw new InvalidDataException($"{path}: truncated: the header promises {count:N0} vectors of dimension {dim} ({expected:N0} bytes), the file has {length:N0} bytes.");
            }

            var take = Math.Min(count, maxVectors);
            var vectors = new float[(long)take * dim];
            ReadExactly(stream, MemoryMarshal.AsBytes(vectors.AsSpan()), path, $"{take:N0} vectors");
            return new VectorFile(take, dim, vectors);
        }

        ReadExactly(stream, header[..4], path, "the dimension of vector 0");
        var dimensions = CheckDimension(BinaryPrimitives.ReadInt32LittleEndian(header), path, 0);
        var recordBytes = 4 + ((long)dimensions * sizeof(float));
        if (length % recordBytes != 0)
        {
            throw new InvalidDataException($"{path}: truncated or not .fvecs: {length:N0} bytes is not a whole number of {recordBytes}-byte vectors (dimension {dimensions}); the last vector is incomplete.");
        }

        var total = (int)Math.Min(length / recordBytes, maxVectors);
        var data = new float[(long)total * dimensions];
        for (var i = 0; i < total; i++)
        {
            if (i > 0)
            {
                ReadExactly(stream, header[..4], path, $"the dimension of vector {i}");
                var dim = CheckDimension(BinaryPrimitives.ReadInt32LittleEndian(header), path, i);
                if (dim != dimensions)
                {
                    throw new InvalidDataException($"{path}: vector {i} has dimension {dim}, vector 0 has {dimensions}.");
                }
            }

            ReadExactly(stream, MemoryMarshal.AsBytes(data.AsSpan(i * dimensions, dimensions)), path, $"vector {i}");
        }

        return new VectorFile(total, dimensions, data);
    }

    /// <summary>Writes row-major <paramref name="vectors"/> of dimension <paramref name="dimensions"/> in the format of the extension.</summary>
    public static void Write(string path, int dimensions, ReadOnlySpan<float> vectors)
    {
        EnsureLittleEndian();
        var count = vectors.Length / dimensions;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Span<byte> header = stackalloc byte[8];
        if (FormatOf(path) == VectorFileFormat.Fbin)
        {
            BinaryPrimitives.WriteInt32LittleEndian(header, count);
            BinaryPrimitives.WriteInt32LittleEndian(header[4..], dimensions);
            stream.Write(header);
            stream.Write(MemoryMarshal.AsBytes(vectors[..(count * dimensions)]));
            return;
        }

        BinaryPrimitives.WriteInt32LittleEndian(header, dimensions);
        for (var i = 0; i < count; i++)
        {
            stream.Write(header[..4]);
            stream.Write(MemoryMarshal.AsBytes(vectors.Slice(i * dimensions, dimensions)));
        }
    }

    private static int CheckDimension(int dim, string path, int vector) =>
        dim is >= 1 and <= MaxDimensions
            ? dim
            : throw new InvalidDataException($"{path}: vector {vector} has dimension {dim}; expected 1 to {MaxDimensions} (is this a .fvecs/.fbin file?).");

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        var offset = stream.Position;
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw new InvalidDataException($"{path}: truncated at byte {offset + read:N0} while reading {what} ({buffer.Length:N0} bytes needed, {read:N0} left).");
        }
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("vector files are little-endian; this machine is big-endian.");
        }
    }
}
