using System.Net;
using System.Net.Sockets;

namespace ServerlessRec.Cli;

/// <summary>A loopback TCP port that is free now, chosen by the operating system.</summary>
/// <remarks>
/// The in-process Durable Task host otherwise listens on a random port in 30000–40000 (its documented default), a range
/// that overlaps Linux's ephemeral ports: on a busy machine, or with parallel test runs, the start then fails with
/// "address already in use" (seen in CI). A port the kernel hands out for a bind to port 0 is free at that moment.
/// </remarks>
internal static class LoopbackPort
{
    /// <summary>Binds 127.0.0.1:0, reads the port the kernel assigned and releases it.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
