using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessRec.Storage;

/// <summary>
/// An <see cref="IBlobStore"/> over a local folder: each container is a subfolder of
/// <see cref="StorageOptions.LocalRoot"/> and each blob a plain file at its name's relative path, so the
/// data can be read with ordinary tools. ETags, conditions and appends behave as on Azure Blob Storage.
/// </summary>
/// <remarks>
/// <para>
/// Writes go to a temporary file in <c>.tmp/</c> first and are renamed over the blob, so readers never
/// see a partial blob and a crash leaves at most an unlisted temporary file. Every write and append
/// stores a new random ETag in a sidecar record under <c>.etags/</c>. The check of a condition and the
/// replace happen under a per-blob lock that holds across threads and processes
/// (<see cref="StripedFileLock"/>), and reads take the same lock to pair content with its ETag.
/// </para>
/// <para>
/// Differences from Azure that come from using a file system: a blob <c>a</c> and a blob
/// <c>a/b</c> cannot exist in the same container (an <see cref="IOException"/> says so), data is not
/// flushed to disk before a rename (safe against a crashed process, not a power cut), and a process
/// killed in the middle of an append can leave part of that append behind.
/// </para>
/// </remarks>
public sealed class LocalFolderBlobStore : IBlobStore
{
    /// <summary>The subfolder holding files being written; it is never listed.</summary>
    internal const string TempFolderName = ".tmp";

    internal const string ETagFolderName = ".etags";
    internal const string LockFolderName = ".locks";

    private const string BlockBlobKind = "block";
    private const string AppendBlobKind = "append";
    private const int CopyBufferSize = 81920;

    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(2);

    private readonly string _root;
    private readonly string _tempFolder;
    private readonly string _etagFolder;
    private readonly StripedFileLock _locks;
    private readonly int _maxAppendBlocks;

    /// <summary>Creates a store over the folder <see cref="StorageOptions.LocalRoot"/>, creating the folder when missing.</summary>
    /// <param name="options">The storage options; only <see cref="StorageOptions.LocalRoot"/> is used.</param>
    /// <exception cref="ArgumentException"><see cref="StorageOptions.LocalRoot"/> is empty.</exception>
    public LocalFolderBlobStore(StorageOptions options)
        : this(options, BlobAppendLimits.MaxBlocksPerBlob)
    {
    }

    /// <summary>Creates a store whose append blobs take at most <paramref name="maxAppendBlocks"/> blocks (tests of what follows a full blob).</summary>
    /// <param name="options">The storage options; only <see cref="StorageOptions.LocalRoot"/> is used.</param>
    /// <param name="maxAppendBlocks">The most blocks one append blob holds, 1 to <see cref="BlobAppendLimits.MaxBlocksPerBlob"/>.</param>
    public LocalFolderBlobStore(StorageOptions options, int maxAppendBlocks)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAppendBlocks, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxAppendBlocks, BlobAppendLimits.MaxBlocksPerBlob);
        _maxAppendBlocks = maxAppendBlocks;
        if (string.IsNullOrWhiteSpace(options.LocalRoot))
        {
            throw new ArgumentException("StorageOptions.LocalRoot must name the folder of the local blob store.", nameof(options));
        }

        _root = Path.GetFullPath(options.LocalRoot);
        _tempFolder = Path.Combine(_root, TempFolderName);
        _etagFolder = Path.Combine(_root, ETagFolderName);
        string lockFolder = Path.Combine(_root, LockFolderName);
        Directory.CreateDirectory(_tempFolder);
        Directory.CreateDirectory(_etagFolder);
        Directory.CreateDirectory(lockFolder);
        _locks = new StripedFileLock(lockFolder, LockTimeout);
    }

    /// <summary>Gets the full path of the store's root folder.</summary>
    public string RootPath => _root;

    /// <inheritdoc/>
    public async Task<StoredBlob?> ReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        Snapshot? snapshot = await OpenSnapshotAsync(container, name, cancellationToken);
        if (snapshot is null)
        {
            return null;
        }

        await using FileStream file = snapshot.File;
        if (snapshot.Length > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"Blob \"{name}\" in container \"{container}\" is {snapshot.Length} bytes, too large for ReadAsync; use OpenReadAsync.");
        }

        byte[] content = new byte[snapshot.Length];
        await file.ReadExactlyAsync(content, cancellationToken);
        return new StoredBlob(content, snapshot.ETag);
    }

    /// <inheritdoc/>
    public async Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        Snapshot? snapshot = await OpenSnapshotAsync(container, name, cancellationToken);
        return snapshot is null ? null : new LengthLimitedReadStream(snapshot.File, snapshot.Length);
    }

    /// <inheritdoc/>
    public async Task<string> WriteAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        ValidateCondition(condition);
        string temp = NewTempPath();
        try
        {
            await using (FileStream file = CreateTempFile(temp))
            {
                await file.WriteAsync(content, cancellationToken);
            }

            return await ReplaceAsync(container, name, temp, condition, cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <inheritdoc/>
    public async Task<string> UploadAsync(string container, string name, Stream content, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        ArgumentNullException.ThrowIfNull(content);
        string temp = NewTempPath();
        try
        {
            await using (FileStream file = CreateTempFile(temp))
            {
                await content.CopyToAsync(file, CopyBufferSize, cancellationToken);
            }

            return await ReplaceAsync(container, name, temp, BlobWriteCondition.None, cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Appending empty content only creates the blob when it is missing, as on Azure.</remarks>
    /// <exception cref="InvalidOperationException">The blob was written by <see cref="WriteAsync"/> or <see cref="UploadAsync"/> (a block blob on Azure).</exception>
    public async Task AppendAsync(string container, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        using (await _locks.AcquireAsync(LockKey(container, name), cancellationToken))
        {
            string path = BlobPath(container, name);
            BlobRecord? current = ReadRecord(container, name, path);
            if (current?.Kind == BlockBlobKind)
            {
                throw new InvalidOperationException(
                    $"Blob \"{name}\" in container \"{container}\" was written whole, not appended; append only to blobs created by AppendAsync.");
            }

            if (current is not null && content.IsEmpty)
            {
                return;
            }

            // Azure's cap on blocks per append blob, enforced here too so both backends fill up (and roll over) alike.
            long blocks = (current?.AppendBlocks ?? 0) + BlobAppendLimits.BlocksFor(content.Length);
            if (blocks > _maxAppendBlocks)
            {
                throw new AppendBlobFullException(
                    $"Append blob \"{name}\" in container \"{container}\" holds {current?.AppendBlocks ?? 0} blocks; it cannot take {BlobAppendLimits.BlocksFor(content.Length)} more (the limit is {_maxAppendBlocks}).");
            }

            PrepareFolderFor(container, name, path);

            // The record goes first: a crash between the two steps then fails a stale If-Match instead of passing it.
            WriteRecord(container, name, new BlobRecord(NewETag(), AppendBlobKind, blocks));
            await using FileStream file = new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);

            // Not cancellable once started: a half-written append would be a torn record.
            await file.WriteAsync(content, CancellationToken.None);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<BlobEntry> ListAsync(string container, string prefix = "", CancellationToken cancellationToken = default)
    {
        BlobNameRules.ValidateContainerName(container);
        BlobNameRules.ValidatePrefix(prefix);
        return ListCoreAsync(container, prefix, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<BlobEntry?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        using (await _locks.AcquireAsync(LockKey(container, name), cancellationToken))
        {
            return ReadEntry(container, name);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        if (ifMatch is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(ifMatch);
        }

        using (await _locks.AcquireAsync(LockKey(container, name), cancellationToken))
        {
            string path = BlobPath(container, name);
            BlobRecord? current = ReadRecord(container, name, path);
            if (current is null)
            {
                return false;
            }

            if (ifMatch is not null && !ETagMatches(ifMatch, current.ETag))
            {
                throw new BlobConditionFailedException(
                    $"Blob \"{name}\" in container \"{container}\" has ETag {current.ETag}, not {ifMatch}; it was not deleted.");
            }

            File.Delete(path);
            File.Delete(RecordPath(container, name));
            RemoveEmptyFolders(container, path);
            return true;
        }
    }

    private async IAsyncEnumerable<BlobEntry> ListCoreAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string containerFolder = Path.Combine(_root, container);
        int lastSlash = prefix.LastIndexOf('/');
        string startFolder = lastSlash < 0 ? containerFolder : Path.Combine(containerFolder, prefix[..lastSlash]);
        if (!Directory.Exists(startFolder))
        {
            yield break;
        }

        EnumerationOptions options = new()
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.None,
            IgnoreInaccessible = false,
        };
        List<string> names = [];
        try
        {
            foreach (string file in Directory.EnumerateFiles(startFolder, "*", options))
            {
                string name = Path.GetRelativePath(containerFolder, file).Replace(Path.DirectorySeparatorChar, '/');
                if (name.StartsWith(prefix, StringComparison.Ordinal) && IsValidBlobName(name))
                {
                    names.Add(name);
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The last blob below the prefix was deleted (and its folder removed) after the check above.
            yield break;
        }

        names.Sort(StringComparer.Ordinal);
        foreach (string name in names)
        {
            BlobEntry? entry;
            using (await _locks.AcquireAsync(LockKey(container, name), cancellationToken))
            {
                entry = ReadEntry(container, name);
            }

            // A blob deleted since the folder was enumerated is simply no longer there.
            if (entry is not null)
            {
                yield return entry;
            }
        }
    }

    private async Task<string> ReplaceAsync(string container, string name, string temp, BlobWriteCondition condition, CancellationToken cancellationToken)
    {
        using (await _locks.AcquireAsync(LockKey(container, name), cancellationToken))
        {
            string path = BlobPath(container, name);
            BlobRecord? current = ReadRecord(container, name, path);
            CheckCondition(container, name, condition, current);
            PrepareFolderFor(container, name, path);
            string etag = NewETag();
            WriteRecord(container, name, new BlobRecord(etag, BlockBlobKind));
            MoveIntoPlace(container, name, temp, path);
            return etag;
        }
    }

    private async Task<Snapshot?> OpenSnapshotAsync(string container, string name, CancellationToken cancellationToken)
    {
        using (await _locks.AcquireAsync(LockKey(container, name), cancellationToken))
        {
            string path = BlobPath(container, name);
            FileStream? file = TryOpenRead(path);
            if (file is null)
            {
                return null;
            }

            try
            {
                long length = file.Length;
                BlobRecord record = ReadRecordFor(container, name, length, File.GetLastWriteTimeUtc(file.SafeFileHandle));
                return new Snapshot(file, length, record.ETag);
            }
            catch
            {
                await file.DisposeAsync();
                throw;
            }
        }
    }

    private BlobEntry? ReadEntry(string container, string name)
    {
        FileInfo info = new(BlobPath(container, name));
        if (!info.Exists)
        {
            return null;
        }

        BlobRecord record = ReadRecordFor(container, name, info.Length, info.LastWriteTimeUtc);
        return new BlobEntry(name, info.Length, record.ETag, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
    }

    private BlobRecord? ReadRecord(string container, string name, string path)
    {
        FileInfo info = new(path);
        return info.Exists ? ReadRecordFor(container, name, info.Length, info.LastWriteTimeUtc) : null;
    }

    // A file put into the folder by hand has no record; its ETag then follows its size and time stamp.
    private BlobRecord ReadRecordFor(string container, string name, long length, DateTime lastWriteUtc)
    {
        string recordPath = RecordPath(container, name);
        string text;
        try
        {
            text = File.ReadAllText(recordPath, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new BlobRecord($"\"0x{lastWriteUtc.Ticks:X}{length:X}\"", Kind: null);
        }

        // Records of append blobs carry a third line, the block count; records written before it was kept have two.
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        long blocks = 0;
        if (lines.Length is < 2 or > 3 || (lines.Length == 3 && !long.TryParse(lines[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out blocks)))
        {
            throw new InvalidDataException($"The ETag record \"{recordPath}\" of blob \"{name}\" in container \"{container}\" is damaged.");
        }

        return new BlobRecord(lines[0], lines[1], blocks);
    }

    private void WriteRecord(string container, string name, BlobRecord record)
    {
        string recordPath = RecordPath(container, name);
        Directory.CreateDirectory(Path.GetDirectoryName(recordPath)!);
        string temp = NewTempPath();
        string blocks = record.Kind == AppendBlobKind ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{record.AppendBlocks}\n") : string.Empty;
        File.WriteAllText(temp, $"{record.ETag}\n{record.Kind}\n{blocks}", Encoding.UTF8);
        File.Move(temp, recordPath, overwrite: true);
    }

    private static void CheckCondition(string container, string name, BlobWriteCondition condition, BlobRecord? current)
    {
        if (condition.IfNotExists && current is not null)
        {
            throw new BlobConditionFailedException(
                $"Blob \"{name}\" already exists in container \"{container}\"; a create-only write was refused.");
        }

        if (condition.IfMatch is { } expected)
        {
            if (current is null)
            {
                throw new BlobConditionFailedException(
                    $"Blob \"{name}\" does not exist in container \"{container}\"; a write required ETag {expected}.");
            }

            if (!ETagMatches(expected, current.ETag))
            {
                throw new BlobConditionFailedException(
                    $"Blob \"{name}\" in container \"{container}\" has ETag {current.ETag}, not {expected}; the write was refused.");
            }
        }
    }

    private static bool ETagMatches(string expected, string actual) =>
        expected == "*" || string.Equals(Quote(expected), actual, StringComparison.Ordinal);

    private static string Quote(string etag) => etag.StartsWith('"') ? etag : $"\"{etag}\"";

    private static void ValidateCondition(BlobWriteCondition condition)
    {
        if (condition.IfMatch is not null && condition.IfNotExists)
        {
            throw new ArgumentException("A write condition cannot require both an ETag (IfMatch) and that the blob does not exist (IfNotExists).", nameof(condition));
        }

        if (condition.IfMatch is { } etag && string.IsNullOrWhiteSpace(etag))
        {
            throw new ArgumentException("A write condition's IfMatch ETag must not be empty.", nameof(condition));
        }
    }

    private static void ValidateNames(string container, string name)
    {
        BlobNameRules.ValidateContainerName(container);
        BlobNameRules.ValidateBlobName(name);
    }

    private static bool IsValidBlobName(string name)
    {
        try
        {
            BlobNameRules.ValidateBlobName(name);
            return true;
        }
        catch (ArgumentException)
        {
            // Files no blob name can address (made by hand, e.g. with a backslash) are not blobs.
            return false;
        }
    }

    // Gives a clear error for the one layout a folder cannot hold: blob "a" next to blob "a/b".
    private void PrepareFolderFor(string container, string name, string path)
    {
        string containerFolder = Path.Combine(_root, container);
        int slash = name.IndexOf('/');
        while (slash >= 0)
        {
            string ancestor = Path.Combine(containerFolder, name[..slash]);
            if (File.Exists(ancestor))
            {
                throw new IOException(
                    $"Blob \"{name}\" cannot be stored in container \"{container}\" of the local folder store because blob \"{name[..slash]}\" exists: a folder cannot hold both a blob and blobs below its name.");
            }

            slash = name.IndexOf('/', slash + 1);
        }

        if (Directory.Exists(path))
        {
            throw new IOException(
                $"Blob \"{name}\" cannot be stored in container \"{container}\" of the local folder store because blobs named \"{name}/…\" exist: a folder cannot hold both a blob and blobs below its name.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    }

    private void MoveIntoPlace(string container, string name, string temp, string path)
    {
        // A concurrent delete of a sibling may remove the now-empty parent folder between creating it and the rename.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                File.Move(temp, path, overwrite: true);
                return;
            }
            catch (DirectoryNotFoundException) when (attempt < 5)
            {
                PrepareFolderFor(container, name, path);
            }
        }
    }

    private void RemoveEmptyFolders(string container, string path)
    {
        string containerFolder = Path.Combine(_root, container);
        string? folder = Path.GetDirectoryName(path);
        while (folder is not null && folder.Length > containerFolder.Length)
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    return;
                }

                Directory.Delete(folder, recursive: false);
            }
            catch (IOException)
            {
                // Best-effort tidying: another writer filled the folder or another delete removed it since it was checked.
                return;
            }

            folder = Path.GetDirectoryName(folder);
        }
    }

    private static FileStream? TryOpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (PathTooLongException)
        {
            // A name with a segment longer than the file system allows (255 bytes) cannot have been stored here. Linux
            // reports it only once the folder above exists, so without this a lookup would fail or not by chance.
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            // The path is a folder of blobs below this name, not a blob.
            return null;
        }
    }

    private static FileStream CreateTempFile(string temp) =>
        new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);

    private string BlobPath(string container, string name) =>
        Path.Combine(_root, container, name.Replace('/', Path.DirectorySeparatorChar));

    private string RecordPath(string container, string name)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(LockKey(container, name))));
        return Path.Combine(_etagFolder, hash[..2], hash);
    }

    private string NewTempPath() => Path.Combine(_tempFolder, RandomNumberGenerator.GetHexString(16, lowercase: true) + ".tmp");

    private static string LockKey(string container, string name) => container + "/" + name;

    private static string NewETag() => $"\"0x{RandomNumberGenerator.GetHexString(16)}\"";

    private sealed record BlobRecord(string ETag, string? Kind, long AppendBlocks = 0);

    private sealed record Snapshot(FileStream File, long Length, string ETag);
}
