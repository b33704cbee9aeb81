namespace ServerlessRec.Events;

/// <summary>Writes catalog items as <c>items.jsonl</c> (the format <see cref="CatalogReader"/> reads).</summary>
public static class CatalogFileWriter
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>Writes <paramref name="items"/> to <paramref name="destination"/>, one JSON object per line.</summary>
    public static async Task WriteAsync(Stream destination, IEnumerable<CatalogItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(items);
        using var buffer = new JsonLineBuffer();
        foreach (var item in items)
        {
            WriteItem(buffer, item);
            if (buffer.Length >= ChunkBytes)
            {
                await destination.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
                buffer.Clear();
            }
        }

        await destination.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="items"/> as the blob <paramref name="name"/> (whole, so readers never see part of it).</summary>
    public static async Task WriteAsync(IBlobDestination destination, string name, IEnumerable<CatalogItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var content = new MemoryStream();
        await WriteAsync(content, items, cancellationToken).ConfigureAwait(false);
        await destination.WriteAsync(name, content.GetBuffer().AsMemory(0, (int)content.Length), cancellationToken).ConfigureAwait(false);
    }

    private static void WriteItem(JsonLineBuffer buffer, CatalogItem item)
    {
        var writer = buffer.BeginLine();
        writer.WriteStartObject();
        writer.WriteString("itemId"u8, item.ItemId);
        if (item.Title is null)
        {
            writer.WriteNull("title"u8);
        }
        else
        {
            writer.WriteString("title"u8, item.Title);
        }

        writer.WriteStartArray("categories"u8);
        foreach (var category in item.Categories)
        {
            writer.WriteStringValue(category);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("tags"u8);
        foreach (var tag in item.Tags)
        {
            writer.WriteStringValue(tag);
        }

        writer.WriteEndArray();
        writer.WriteBoolean("available"u8, item.Available);
        if (item.Attributes is { } attributes)
        {
            writer.WritePropertyName("attributes"u8);
            attributes.WriteTo(writer);
        }

        if (item.Deleted)
        {
            writer.WriteBoolean("deleted"u8, true);
        }

        if (item.FirstSeen is { } firstSeen)
        {
            writer.WriteString("firstSeen"u8, firstSeen);
        }

        writer.WriteEndObject();
        buffer.EndLine();
    }
}
