using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ServerlessRec.Training;

/// <summary>
/// A model's parameters and the epoch they belong to, as bytes: what the Train activity writes to Blob Storage
/// after every epoch, so a retried activity resumes instead of starting over (Adam's moments restart).
/// </summary>
/// <param name="Model">The weights after <paramref name="Epoch"/> (what training continues from).</param>
/// <param name="Epoch">The epochs done.</param>
/// <param name="Average">The average of the weights over the epochs (<see cref="TwoTowerOptions.WeightAveraging"/>), or null when not averaging.</param>
public sealed record TwoTowerCheckpoint(TwoTowerModel Model, int Epoch, TwoTowerModel? Average = null)
{
    private const uint Magic = 0x54545253; // "SRTT"
    private const int FormatVersion = 1;
    private const int AveragedFormatVersion = 2;

    /// <summary>Gets the parameters this run yields after <see cref="Epoch"/>: the average when averaging, otherwise the weights.</summary>
    public TwoTowerModel Result => Average ?? Model;

    /// <summary>Serialises the checkpoint (little-endian float32 arrays after a small header).</summary>
    public byte[] ToBytes()
    {
        var m = Model;
        float[][] arrays = Average is null ? m.Parameters : [.. m.Parameters, .. Average.Parameters];
        using var stream = new MemoryStream();
        Span<byte> header = stackalloc byte[4 * 7];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], Average is null ? FormatVersion : AveragedFormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], m.ItemRows - 1);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], m.FeatureRows - 1);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], m.Dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], m.HiddenDimensions);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], Epoch);
        stream.Write(header);
        foreach (var array in arrays)
        {
            stream.Write(MemoryMarshal.AsBytes(array.AsSpan()));
        }

        return stream.ToArray();
    }

    /// <summary>Reads a checkpoint written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a checkpoint of this format or are truncated.</exception>
    public static TwoTowerCheckpoint FromBytes(ReadOnlySpan<byte> bytes)
    {
        var format = bytes.Length < 28 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic ? 0 : BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (format is not (FormatVersion or AveragedFormatVersion))
        {
            throw new InvalidDataException("not a ServerlessRec two-tower checkpoint (format 1 or 2)");
        }

        var model = new TwoTowerModel(
            BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]),
            seed: 0);
        var epoch = BinaryPrimitives.ReadInt32LittleEndian(bytes[24..]);
        var average = format == AveragedFormatVersion ? model.Clone() : null;
        float[][] arrays = average is null ? model.Parameters : [.. model.Parameters, .. average.Parameters];
        var offset = 28;
        foreach (var array in arrays)
        {
            var length = array.Length * sizeof(float);
            if (bytes.Length < offset + length)
            {
                throw new InvalidDataException("the two-tower checkpoint is truncated");
            }

            MemoryMarshal.Cast<byte, float>(bytes.Slice(offset, length)).CopyTo(array);
            offset += length;
        }

        return offset != bytes.Length
            ? throw new InvalidDataException("the two-tower checkpoint has trailing bytes")
            : new TwoTowerCheckpoint(model, epoch, average);
    }
}
