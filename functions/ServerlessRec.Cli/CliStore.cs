using ServerlessRec.Storage;

namespace ServerlessRec.Cli;

/// <summary>The store a command works on, its options, and how to name it to the user.</summary>
/// <param name="Store">The store.</param>
/// <param name="Options">The options it was created from.</param>
/// <param name="Description">Which store it is, e.g. <c>local folder /home/me/.serverlessrec</c>; never holds a secret.</param>
internal sealed record CliStore(IBlobStore Store, StorageOptions Options, string Description)
{
    /// <summary>Gets the local folder of a local store, or null for Azure Blob Storage.</summary>
    public string? LocalRoot => Store is LocalFolderBlobStore local ? local.RootPath : null;

    /// <summary>Returns where a blob lives, for messages: a file path for the local store, <c>container/name</c> otherwise.</summary>
    public string Where(string container, string name) =>
        LocalRoot is { } root ? Path.Combine(root, container, name.Replace('/', Path.DirectorySeparatorChar)) : $"{container}/{name}";

    /// <summary>The first line every command that uses a store prints.</summary>
    public string Banner => $"store: {Description}";
}
