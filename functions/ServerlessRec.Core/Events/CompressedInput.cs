using System.IO.Compression;

namespace ServerlessRec.Events;

/// <summary>Opens an input for reading, decompressing gzip when the content starts with the gzip magic bytes.</summary>
internal static class CompressedInput
{
    private const byte GzipMagic0 = 0x1F;
    private const byte GzipMagic1 = 0x8B;

    /// <summary>Returns a stream over the decoded content; disposing it leaves <paramref name="stream"/> open.</summary>
    public static Stream Open(Stream stream, string fileName)
    {
        var head = new byte[2];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Wrap(stream, fileName, head, read);
    }

    public static async ValueTask<Stream> OpenAsync(Stream stream, string fileName, CancellationToken cancellationToken)
    {
        var head = new byte[2];
        var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return Wrap(stream, fileName, head, read);
    }

    private static Stream Wrap(Stream stream, string fileName, byte[] head, int read)
    {
        var replayed = new PrefixedReadStream(head.AsMemory(0, read), stream);
        if (read == 2 && head[0] == GzipMagic0 && head[1] == GzipMagic1)
        {
            return new GZipStream(replayed, CompressionMode.Decompress, leaveOpen: false);
        }

        // A .gz name without the magic bytes is a mislabelled or corrupt file: reading it as text would
        // quarantine every line for the wrong reason.
        return read > 0 && fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? throw new InvalidDataException($"{fileName}: the name ends in .gz but the content is not gzip.")
            : replayed;
    }

    /// <summary>Replays bytes already read from the head of a stream, then reads the rest; never disposes the inner stream.</summary>
    private sealed class PrefixedReadStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!_prefix.IsEmpty)
            {
                return TakePrefix(buffer);
            }

            return inner.Read(buffer);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            !_prefix.IsEmpty ? ValueTask.FromResult(TakePrefix(buffer.Span)) : inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int TakePrefix(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }
    }
}
