namespace ServerlessRec.Storage;

/// <summary>The limits of appends, the same on every backend (they are Azure's append blob limits).</summary>
public static class BlobAppendLimits
{
    /// <summary>The most blocks one append blob holds (Azure and Azurite refuse the next with <c>BlockCountExceedsLimit</c>): 50,000.</summary>
    public const int MaxBlocksPerBlob = 50_000;

    /// <summary>The block size an append is split into (every service version accepts it): 4 MiB.</summary>
    public const int MaxBlockBytes = 4 * 1024 * 1024;

    /// <summary>Returns how many blocks an append of <paramref name="length"/> bytes adds (0 for an empty append).</summary>
    public static int BlocksFor(int length) => (int)((length + (long)MaxBlockBytes - 1) / MaxBlockBytes);
}
