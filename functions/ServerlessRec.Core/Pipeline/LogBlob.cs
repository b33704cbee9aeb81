namespace ServerlessRec.Pipeline;

/// <summary>One log blob to read, with its ETag and whether its users' serving histories need seeding.</summary>
/// <param name="Name">The blob name in the events container.</param>
/// <param name="ETag">Its ETag when listed (the seed watermark remembers it, so a replaced blob is seeded again).</param>
/// <param name="Seed">True for a bulk blob not seeded before (API-posted blobs never need it: their events went to the histories when posted).</param>
public sealed record LogBlob(string Name, string ETag, bool Seed);
