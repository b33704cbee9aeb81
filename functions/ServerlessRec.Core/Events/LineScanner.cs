using System.Buffers;

namespace ServerlessRec.Events;

/// <summary>
/// Splits a stream into lines with one fixed buffer: memory is constant per file whatever the line
/// lengths. Handles LF and CRLF, a UTF-8 BOM, and a last line without a line break.
/// </summary>
internal sealed class LineScanner : IDisposable
{
    /// <summary>The bytes of an over-long line kept for the quarantine.</summary>
    public const int TooLongPrefixBytes = 1024;

    private const int ReadSlack = 64 * 1024;

    private readonly Stream _source;
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _searched;
    private bool _endOfStream;
    private bool _skippingRest;
    private bool _atStart = true;

    public LineScanner(Stream source, int maxLineBytes)
    {
        _source = source;
        _maxLineBytes = maxLineBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(maxLineBytes + ReadSlack);
    }

    /// <summary>Gets the 1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Gets a value indicating whether the stream has ended and every line was returned.</summary>
    public bool IsCompleted => _endOfStream && _start == _end;

    public ScannedLine TryReadLine(out ReadOnlySpan<byte> line)
    {
        line = default;
        if (_atStart && !SkipByteOrderMark())
        {
            return ScannedLine.NeedMore;
        }

        var buffered = _buffer.AsSpan(_start, _end - _start);
        if (_skippingRest)
        {
            var rest = buffered.IndexOf((byte)'\n');
            if (rest < 0)
            {
                _start = _end;
                _searched = _end;
                return ScannedLine.NeedMore;
            }

            _skippingRest = false;
            _start += rest + 1;
            _searched = _start;
            buffered = _buffer.AsSpan(_start, _end - _start);
        }

        var newline = _buffer.AsSpan(_searched, _end - _searched).IndexOf((byte)'\n');
        if (newline >= 0)
        {
            var length = _searched - _start + newline;
            line = _buffer.AsSpan(_start, length);
            _start += length + 1;
            _searched = _start;
            return Complete(ref line);
        }

        _searched = _end;
        if (_endOfStream)
        {
            if (buffered.IsEmpty)
            {
                return ScannedLine.NeedMore;
            }

            line = buffered;
            _start = _end;
            return Complete(ref line);
        }

        // +1: the line may still end in "\r\n", and the CR does not count.
        if (buffered.Length > _maxLineBytes + 1)
        {
            LineNumber++;
            line = buffered[..Math.Min(buffered.Length, TooLongPrefixBytes)];
            _start = _end;
            _skippingRest = true;
            return ScannedLine.TooLong;
        }

        return ScannedLine.NeedMore;
    }

    public void Fill()
    {
        var free = PrepareFill();
        var read = _source.Read(free.Span);
        EndFill(read);
    }

    public async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var free = PrepareFill();
        var read = await _source.ReadAsync(free, cancellationToken).ConfigureAwait(false);
        EndFill(read);
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private ScannedLine Complete(ref ReadOnlySpan<byte> line)
    {
        LineNumber++;
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Length > _maxLineBytes)
        {
            line = line[..Math.Min(line.Length, TooLongPrefixBytes)];
            return ScannedLine.TooLong;
        }

        return ScannedLine.Line;
    }

    private bool SkipByteOrderMark()
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        var buffered = _buffer.AsSpan(_start, _end - _start);
        if (buffered.Length < bom.Length && !_endOfStream && bom.StartsWith(buffered))
        {
            return false;
        }

        if (buffered.StartsWith(bom))
        {
            _start += bom.Length;
            _searched = _start;
        }

        _atStart = false;
        return true;
    }

    private Memory<byte> PrepareFill()
    {
        if (_start > 0)
        {
            var length = _end - _start;
            _buffer.AsSpan(_start, length).CopyTo(_buffer);
            _searched -= _start;
            _start = 0;
            _end = length;
        }

        return _buffer.AsMemory(_end);
    }

    private void EndFill(int read)
    {
        if (read == 0)
        {
            _endOfStream = true;
        }

        _end += read;
    }
}
