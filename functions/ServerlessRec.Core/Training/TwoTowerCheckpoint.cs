using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ServerlessRec.Training;

/// <summary>
/// A model's parameters and the epoch they belong to, as bytes: what the Train activity writes to Blob Storage
/// after every epoch, so a retried activity resumes instead of starting over (Adam's moments restart).
/// </summary>
public sealed record TwoTowerCheckpoint(TwoTowerModel Model, int Epoch)
{
    private const uint Magic = 0x54545253; // "SRTT"
    private const int FormatVersion = 1;

    /// <summary>Serialises the checkpoint (little-endian float32 arrays after a small header).</summary>
    public byte[] ToBytes()
    {
        var m = Model;
        float[][] arrays = [m.HistoryEmbeddings, m.ItemEmbeddings, m.FeatureEmbeddings, m.W1, m.B1, m.W2, m.B2];
        using var stream = new MemoryStream();
        Span<byte> header = stackalloc byte[4 * 7];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], FormatVersion);
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
        if (bytes.Length < 28 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic || BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]) != FormatVersion)
        {
            throw new InvalidDataException("not a ServerlessRec two-tower checkpoint (format 1)");
        }

        var model = new TwoTowerModel(
            BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]),
            seed: 0);
        var epoch = BinaryPrimitives.ReadInt32LittleEndian(bytes[24..]);
        float[][] arrays = [model.HistoryEmbeddings, model.ItemEmbeddings, model.FeatureEmbeddings, model.W1, model.B1, model.W2, model.B2];
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
            : new TwoTowerCheckpoint(model, epoch);
    }
}
