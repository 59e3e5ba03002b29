using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Archive.Api.Tests.Support;

/// <summary>
/// A real <c>Archive.Server</c> process (the server built beside these tests, <c>dotnet Archive.Server.dll</c>) on a
/// free loopback port, in Production, with its data folder and extra environment variables; its standard output and
/// error are collected in <see cref="Log"/>. <see cref="StartAsync"/> waits until /health answers;
/// <see cref="Launch"/> only starts it (for a server expected to refuse to start: <see cref="WaitForExitAsync"/>).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();

    private ServerProcess(Process process, string baseUrl)
    {
        Process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>The server's entry assembly, copied beside the tests.</summary>
    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "Archive.Server.dll");

    public Process Process { get; }

    public string BaseUrl { get; }

    /// <summary>Everything the process wrote so far (standard output and error).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts a server on <paramref name="data"/> (<c>Archive__DataPath</c>) and returns when /health answers 2xx.</summary>
    public static async Task<ServerProcess> StartAsync(string data, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var server = Launch(data, environment);
        try
        {
            await server.WaitHealthyAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a server on <paramref name="data"/> without waiting for it.</summary>
    public static ServerProcess Launch(string data, IReadOnlyDictionary<string, string> environment)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(ServerDll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["Archive__DataPath"] = data;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment)
        {
            info.Environment[k] = v;
        }

        var server = new ServerProcess(new Process { StartInfo = info }, $"http://127.0.0.1:{port}");
        server.Process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server.Process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server.Process.Start();
        server.Process.BeginOutputReadLine();
        server.Process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits (at most 60 s) until /health answers 2xx; fails when the process exits first.</summary>
    public async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(Process.HasExited, "The server exited:\n" + Log);
            try
            {
                using var response = await http.GetAsync(BaseUrl + "/health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "The server did not become healthy:\n" + Log);
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Waits for the process to end by itself (fails after <paramref name="timeout"/>) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await Process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"The server did not exit within {timeout}:\n" + Log);
        }

        // The last lines of output are delivered after the exit: WaitForExit() without a timeout waits for them.
        Process.WaitForExit();
        return Process.ExitCode;
    }

    public async Task KillAsync()
    {
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync(CancellationToken.None);
            }
        }
        catch (InvalidOperationException)
        {
        }

        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
