using System.Security.Cryptography;
using System.Text.Json;
using ServerlessRec.Storage;

namespace ServerlessRec.Onnx;

/// <summary>A model version's artefacts in memory, keyed by file name, with the manifest that lists their hashes.</summary>
public sealed record ModelPackage(ModelManifest Manifest, IReadOnlyDictionary<string, byte[]> Artifacts)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Returns the blob name of a version's file in the models container.</summary>
    public static string BlobName(string version, string file) => $"{version}/{file}";

    /// <summary>Returns the artefact bytes or throws when the package lacks it.</summary>
    public byte[] Artifact(string name) =>
        Artifacts.TryGetValue(name, out var bytes) ? bytes : throw new ModelIntegrityException($"model {Manifest.Version} has no artefact \"{name}\"");

    /// <summary>Computes the hashes of the artefacts and returns the manifest that lists them.</summary>
    public static ModelPackage Seal(ModelManifest manifest, IReadOnlyDictionary<string, byte[]> artifacts)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(artifacts);
        var infos = artifacts.ToDictionary(a => a.Key, a => new ArtifactInfo(Sha256(a.Value), a.Value.LongLength), StringComparer.Ordinal);
        return new ModelPackage(manifest with { Artifacts = infos }, artifacts);
    }

    /// <summary>Writes the artefacts, then the manifest last (create-only), so a reader never sees a manifest whose artefacts are missing.</summary>
    public async Task WriteAsync(IBlobStore store, string container = ContainerNames.Models, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        foreach (var (name, bytes) in Artifacts)
        {
            await store.WriteAsync(container, BlobName(Manifest.Version, name), bytes, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(Manifest, JsonOptions);
        await store.WriteAsync(container, BlobName(Manifest.Version, ModelManifest.FileName), json, BlobWriteCondition.CreateOnly, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a manifest, or returns null when the version does not exist.</summary>
    public static async Task<ModelManifest?> ReadManifestAsync(IBlobStore store, string version, string container = ContainerNames.Models, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var blob = await store.ReadAsync(container, BlobName(version, ModelManifest.FileName), cancellationToken).ConfigureAwait(false);
        if (blob is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ModelManifest>(blob.Content.Span) ?? throw new ModelIntegrityException($"model {version}: model.json is empty");
        }
        catch (JsonException ex)
        {
            throw new ModelIntegrityException($"model {version}: model.json is not valid ({ex.Message})", ex);
        }
    }

    /// <summary>Reads a version and verifies every artefact against the manifest's SHA-256; a mismatch is never loaded.</summary>
    /// <exception cref="ModelIntegrityException">The manifest or an artefact is missing, truncated or tampered with.</exception>
    public static async Task<ModelPackage> ReadAsync(IBlobStore store, string version, string container = ContainerNames.Models, CancellationToken cancellationToken = default)
    {
        var manifest = await ReadManifestAsync(store, version, container, cancellationToken).ConfigureAwait(false)
            ?? throw new ModelIntegrityException($"model {version} does not exist (no {ModelManifest.FileName})");
        var artifacts = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, info) in manifest.Artifacts)
        {
            var blob = await store.ReadAsync(container, BlobName(version, name), cancellationToken).ConfigureAwait(false)
                ?? throw new ModelIntegrityException($"model {version}: artefact {name} is missing");
            var bytes = blob.Content.ToArray();
            if (bytes.LongLength != info.Bytes || !string.Equals(Sha256(bytes), info.Sha256, StringComparison.Ordinal))
            {
                throw new ModelIntegrityException($"model {version}: artefact {name} does not match its SHA-256 in {ModelManifest.FileName} (expected {info.Bytes} bytes, {info.Sha256}); refusing to load it");
            }

            artifacts[name] = bytes;
        }

        return new ModelPackage(manifest, artifacts);
    }

    /// <summary>Reads one artefact of a version and verifies it against the manifest's SHA-256.</summary>
    /// <exception cref="ModelIntegrityException">The artefact is not listed, missing, or does not match its hash.</exception>
    public static async Task<byte[]> ReadArtifactAsync(IBlobStore store, ModelManifest manifest, string name, string container = ContainerNames.Models, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
        var info = InfoOf(manifest, name);
        var blob = await store.ReadAsync(container, BlobName(manifest.Version, name), cancellationToken).ConfigureAwait(false)
            ?? throw new ModelIntegrityException($"model {manifest.Version}: artefact {name} is missing");
        var bytes = blob.Content.ToArray();
        Verify(manifest, name, info, bytes.LongLength, Sha256(bytes));
        return bytes;
    }

    /// <summary>
    /// Streams one artefact of a version into a local file, hashing it on the way, and verifies it against the manifest's
    /// SHA-256: a large artefact is checked without ever being held in memory. A file that fails the check is deleted.
    /// </summary>
    /// <exception cref="ModelIntegrityException">The artefact is not listed, missing, or does not match its hash.</exception>
    public static async Task DownloadArtifactAsync(IBlobStore store, ModelManifest manifest, string name, string path, string container = ContainerNames.Models, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = InfoOf(manifest, name);
        var source = await store.OpenReadAsync(container, BlobName(manifest.Version, name), cancellationToken).ConfigureAwait(false)
            ?? throw new ModelIntegrityException($"model {manifest.Version}: artefact {name} is missing");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        await using (source.ConfigureAwait(false))
        {
            var target = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true);
            await using (target.ConfigureAwait(false))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    length += read;
                }
            }
        }

        try
        {
            Verify(manifest, name, info, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch (ModelIntegrityException)
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// Streams one artefact of a version through SHA-256 and checks it against the manifest, holding no more than a buffer
    /// in memory (a rollback checks every artefact of a version it does not load).
    /// </summary>
    /// <exception cref="ModelIntegrityException">The artefact is not listed, missing, or does not match its hash (the message says which and how).</exception>
    public static async Task VerifyArtifactAsync(IBlobStore store, ModelManifest manifest, string name, string container = ContainerNames.Models, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
        var info = InfoOf(manifest, name);
        var source = await store.OpenReadAsync(container, BlobName(manifest.Version, name), cancellationToken).ConfigureAwait(false)
            ?? throw new ModelIntegrityException($"model {manifest.Version}: artefact {name} is missing");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        await using (source.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }

        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (length != info.Bytes || !string.Equals(sha256, info.Sha256, StringComparison.Ordinal))
        {
            throw new ModelIntegrityException($"model {manifest.Version}: artefact {name} does not match {ModelManifest.FileName} (expected {info.Bytes} bytes with SHA-256 {info.Sha256}, found {length} bytes with SHA-256 {sha256}): it was changed or damaged after export");
        }
    }

    private static ArtifactInfo InfoOf(ModelManifest manifest, string name) =>
        manifest.Artifacts.TryGetValue(name, out var info) ? info : throw new ModelIntegrityException($"model {manifest.Version} has no artefact \"{name}\"");

    private static void Verify(ModelManifest manifest, string name, ArtifactInfo info, long length, string sha256)
    {
        if (length != info.Bytes || !string.Equals(sha256, info.Sha256, StringComparison.Ordinal))
        {
            throw new ModelIntegrityException($"model {manifest.Version}: artefact {name} does not match its SHA-256 in {ModelManifest.FileName} (expected {info.Bytes} bytes, {info.Sha256}); refusing to load it");
        }
    }

    /// <summary>Lower-case hex SHA-256.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
