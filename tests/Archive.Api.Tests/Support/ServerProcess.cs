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
    private readonly List<HttpClient> _clients = [];
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

    /// <summary>A generated client for this server sending <paramref name="apiKey"/>; its HTTP client is disposed with the server.</summary>
    public Generated.ArchiveClient Client(string apiKey, TimeSpan? timeout = null)
    {
        var http = new HttpClient { Timeout = timeout ?? TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        lock (_clients)
        {
            _clients.Add(http);
        }

        return new Generated.ArchiveClient(http) { BaseUrl = BaseUrl };
    }

    /// <summary>Runs the server's command line (a verb such as <c>apikey create</c>) on <paramref name="data"/> and waits for it.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunCliAsync(string data, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(ServerDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.ArgumentList.Add("--Archive:DataPath=" + data);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>Creates an API key with <c>apikey create</c> (offline, on <paramref name="data"/>) and returns it.</summary>
    public static async Task<string> CreateApiKeyAsync(string data, string name, string roles, string? agency, bool secret, CancellationToken cancellationToken)
    {
        var args = new List<string> { "apikey", "create", "--name", name, "--roles", roles };
        if (agency is not null)
        {
            args.AddRange(["--agencies", agency, "--allow-unregistered-agencies"]);
        }

        if (secret)
        {
            args.AddRange(["--clearance", "secret"]);
        }

        Directory.CreateDirectory(data);
        var (code, output, errors) = await RunCliAsync(data, args, cancellationToken);
        Assert.True(code == 0, $"apikey create failed ({code}): {output}{errors}");
        return output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("ak_", StringComparison.Ordinal));
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

        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
            _clients.Clear();
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
