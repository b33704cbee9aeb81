namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>The layout of a vector file, chosen by its extension.</summary>
internal enum VectorFileFormat
{
    /// <summary><c>.fvecs</c>: each vector is an int32 dimension followed by that many float32s (little-endian).</summary>
    Fvecs,

    /// <summary><c>.fbin</c>: an int32 count and an int32 dimension, then count × dimension float32s (little-endian).</summary>
    Fbin,
}
