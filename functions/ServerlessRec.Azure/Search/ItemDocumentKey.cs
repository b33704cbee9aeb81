using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace ServerlessRec.Azure.Search;

/// <summary>
/// Document keys allow only letters, digits, <c>-</c>, <c>_</c> and <c>=</c>, so the key is the URL-safe
/// base64 (unpadded) of the item id's UTF-8 bytes; the id itself is kept in the <c>itemId</c> field.
/// A key never starts with <c>_</c> or <c>-</c> (forbidden first characters): those need a first byte of
/// 0xF8 or more, which UTF-8 never produces.
/// </summary>
internal static class ItemDocumentKey
{
    /// <summary>The longest key Azure AI Search accepts.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>The longest item id, in UTF-8 bytes, whose key fits.</summary>
    public const int MaxItemIdBytes = MaxKeyLength / 4 * 3;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Encode(string itemId)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        if (itemId.Length == 0)
        {
            throw new ArgumentException("an item id is empty; Azure AI Search needs a non-empty key", nameof(itemId));
        }

        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(itemId);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"item id \"{itemId}\" is not valid Unicode (it holds a lone surrogate)", nameof(itemId), e);
        }

        if (bytes.Length > MaxItemIdBytes)
        {
            throw new ArgumentException(
                $"item id \"{itemId[..Math.Min(40, itemId.Length)]}…\" is {bytes.Length} UTF-8 bytes; an Azure AI Search key holds at most {MaxItemIdBytes} (as {MaxKeyLength} base64 characters)",
                nameof(itemId));
        }

        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Encodes an id that is only looked up (an exclusion): an id that cannot be a key is in no index.</summary>
    public static bool TryEncode(string itemId, [NotNullWhen(true)] out string? key)
    {
        key = null;
        if (itemId.Length == 0)
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(itemId);
        }
        catch (EncoderFallbackException)
        {
            return false;
        }

        if (bytes.Length > MaxItemIdBytes)
        {
            return false;
        }

        key = Base64Url.EncodeToString(bytes);
        return true;
    }

    public static string Decode(string key) => StrictUtf8.GetString(Base64Url.DecodeFromChars(key));
}
