namespace ServerlessRec.Storage;

/// <summary>
/// Mutual exclusion per blob for <see cref="LocalFolderBlobStore"/>, across threads and processes.
/// Blobs hash onto a fixed set of stripes; each stripe is a semaphore (this process) plus an exclusive
/// OS lock on a lock file (other processes), so the number of lock files stays bounded.
/// </summary>
/// <remarks>
/// On Unix <see cref="FileShare.None"/> takes a non-blocking <c>flock(LOCK_EX)</c> on the open file
/// description, which conflicts with other descriptions in the same process too; the OS drops it when a
/// process dies, so a crash never leaves a stale lock. Lock files are never deleted: deleting a lock
/// file while another process waits on it would let two processes hold "the" lock at once.
/// </remarks>
internal sealed class StripedFileLock
{
    internal const int StripeCount = 256;

    private const int UnixWouldBlock = 11;
    private const int MacWouldBlock = 35;
    private const int WindowsSharingViolation = unchecked((int)0x80070020);
    private const int WindowsLockViolation = unchecked((int)0x80070021);

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(20);

    private readonly string _folder;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim[] _gates;

    public StripedFileLock(string folder, TimeSpan timeout)
    {
        _folder = folder;
        _timeout = timeout;
        _gates = new SemaphoreSlim[StripeCount];
        for (int i = 0; i < _gates.Length; i++)
        {
            _gates[i] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>Waits until this caller alone holds the stripe of <paramref name="key"/>; dispose the result to release it.</summary>
    public async Task<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        int stripe = StripeOf(key);
        SemaphoreSlim gate = _gates[stripe];
        await gate.WaitAsync(cancellationToken);
        try
        {
            FileStream lockFile = await LockFileAsync(stripe, cancellationToken);
            return new Held(gate, lockFile);
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    // FNV-1a: stable across processes, unlike string.GetHashCode.
    internal static int StripeOf(string key)
    {
        uint hash = 2166136261;
        foreach (char c in key)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash % StripeCount);
    }

    private async Task<FileStream> LockFileAsync(int stripe, CancellationToken cancellationToken)
    {
        string path = Path.Combine(_folder, $"{stripe:x2}.lock");
        long started = Environment.TickCount64;
        TimeSpan delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            }
            catch (IOException ex) when (IsHeldElsewhere(ex))
            {
                if (Environment.TickCount64 - started > _timeout.TotalMilliseconds)
                {
                    throw new TimeoutException(
                        $"Another process has held the lock file \"{path}\" for more than {_timeout.TotalSeconds:0} s.", ex);
                }

                await Task.Delay(delay, cancellationToken);
                delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
            }
        }
    }

    private static bool IsHeldElsewhere(IOException ex) =>
        ex.HResult is UnixWouldBlock or MacWouldBlock or WindowsSharingViolation or WindowsLockViolation;

    private sealed class Held(SemaphoreSlim gate, FileStream lockFile) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                lockFile.Dispose();
                gate.Release();
            }
        }
    }
}
