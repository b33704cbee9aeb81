using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands;

/// <summary>The history store and tombstones of the configured store.</summary>
internal static class UserStores
{
    public static (UserHistoryStore Histories, ForgottenUsers Forgotten) Open(IBlobStore store, TimeProvider timeProvider)
    {
        var histories = new UserHistoryStore(store);
        return (histories, new ForgottenUsers(store, histories, timeProvider));
    }
}
