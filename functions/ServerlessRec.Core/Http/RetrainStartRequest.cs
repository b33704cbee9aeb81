namespace ServerlessRec.Http;

/// <summary>
/// The body of <c>POST /api/retrain</c>: an empty JSON object (<c>{}</c>). It carries nothing yet; requiring it makes
/// the start a JSON request, which a page in a browser cannot send to another site without a CORS preflight.
/// </summary>
public sealed record RetrainStartRequest;
