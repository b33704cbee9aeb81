using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessRec.Azure.Tests.Search;

/// <summary>
/// Test-only: the search client refuses http:// endpoints, so tests give it https://127.0.0.1:PORT and this
/// policy, placed just before the transport (after authentication), sends the request over plain http.
/// </summary>
internal sealed class HttpsToHttpPolicy : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message) => message.Request.Uri.Scheme = "http";
}
