namespace ServerlessRec.Client;

internal sealed record EmptyRequest;
