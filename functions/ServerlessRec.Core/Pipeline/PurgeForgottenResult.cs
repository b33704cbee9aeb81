namespace ServerlessRec.Pipeline;

/// <summary>What PurgeForgotten did.</summary>
/// <param name="Tombstones">Tombstones in the store.</param>
/// <param name="NewTombstones">Tombstones not purged by an earlier run (each makes the run scan every blob).</param>
/// <param name="ScannedBlobs">Blobs read: every blob when there are new tombstones, else those written since the last purge.</param>
/// <param name="PurgedBlobs">Blobs rewritten without forgotten users' lines.</param>
/// <param name="PurgedLines">Lines removed.</param>
/// <param name="PendingBlobs">API log blobs of hours still appended to, left for the next run.</param>
public sealed record PurgeForgottenResult(int Tombstones, int NewTombstones, int ScannedBlobs, int PurgedBlobs, long PurgedLines, int PendingBlobs);
