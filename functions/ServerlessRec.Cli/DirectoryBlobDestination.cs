using ServerlessRec.Events;

namespace ServerlessRec.Cli;

/// <summary>
/// Writes blobs as files under a folder ('/' in names becomes folders). A stand-in for one container of
/// the local blob store until that store exists; writes are atomic (temporary file, then rename).
/// </summary>
internal sealed class DirectoryBlobDestination(string root) : IBlobDestination
{
    public string Root { get; } = Path.GetFullPath(root);

    public string PathOf(string name)
    {
        var segments = name.Split('/');
        if (segments.Any(s => s is "" or "." or ".." || s.Contains('\\', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"\"{name}\" is not a relative blob name.", nameof(name));
        }

        return Path.Combine([Root, .. segments]);
    }

    public async Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.tmp-{Guid.NewGuid():N}";
        try
        {
            await File.WriteAllBytesAsync(temporary, content, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public async Task AppendAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        }
    }
}
