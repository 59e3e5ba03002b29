using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Archive.Bench;

/// <summary>The standalone server (src/Archive.Server) under load from wrk in a separate process on loopback.</summary>
internal sealed partial class ApiLoadCommand : IBenchCommand
{
    public string Name => "api-load";

    public string Description => "requests/s and p99 of GET record and search on Archive.Server, loaded by wrk from a separate process on loopback";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                api-load [--duration 10] [--connections 8] [--threads 1] [--files 200] [--docs-per-file 3] [--pdf-kb 0] [--warmup 10]
                         [--requests-per-minute 0] [--durability fsync|groupsync] [--server PATH/Archive.Server.dll] [--data DIR] [--keep]

                Seeds --files record files (--docs-per-file documents each, with ~--pdf-kb KB PDFs when > 0) through the
                engine in DIR (not timed), then starts src/Archive.Server (`dotnet Archive.Server.dll`, built with
                this harness; --server to choose another build) as a separate process on 127.0.0.1 on a free port,
                over that data folder, with an administrator API key configured by environment variables
                (Archive__Auth__ApiKeys__0__Name/KeyHash/Roles/Clearance; the key's SHA-256 hex), console logging at
                Warning, and the per-client rate limit Archive__Api__RequestsPerMinute set to --requests-per-minute
                (default 0 = off: one key from one client would otherwise be answered 429 past 600 requests/minute), and
                Archive__Storage__FileSystem__Durability to --durability when given (the server's default otherwise).
                Requests carry `X-Api-Key` (a server without authentication ignores it). Each workload runs
                `wrk -t THREADS -c CONNECTIONS -d DURATIONs --latency` with a Lua script adding the header:
                  GET record   GET /api/record-files/{code} for a random seeded record file
                  search       GET /api/search?q=... with a random one- or two-syllable query, with or without
                               diacritics, drawn from the seeded titles' vocabulary
                Each workload is first run untimed for --warmup seconds (the server's tiered JIT). Figures are wrk's:
                requests/s, latency p50/p99 (wrk's coordinated-omission-prone closed loop), non-2xx responses and
                socket errors (target 0); and the server process's CPU time over the measured run per request. wrk: apt-get install -y wrk.
                Full size: api-load --duration 30 --connections 16 --files 2000 --docs-per-file 5
                """);
            return 0;
        }

        var duration = int.Parse(args.Optional("duration")?.TrimEnd('s') ?? "10", CultureInfo.InvariantCulture);
        var connections = args.Int("connections", 8);
        var threads = args.Int("threads", 1);
        var fileCount = args.Int("files", 200);
        var perFile = args.Int("docs-per-file", 3);
        var pdfKb = args.Int("pdf-kb", 0);
        var warmup = args.Int("warmup", 10);
        var wrk = FindOnPath("wrk");
        if (wrk is null)
        {
            Console.Error.WriteLine("wrk is not installed: apt-get install -y wrk");
            return 2;
        }

        var server = args.Optional("server") ?? FindServer();
        if (server is null || !File.Exists(server))
        {
            Console.Error.WriteLine($"Archive.Server.dll not found ({server ?? "no candidate"}); build src/Archive.Server in the same configuration or pass --server PATH");
            return 2;
        }

        var (data, delete) = BenchEngine.DataFolder(args, "api-load");
        Process? host = null;
        try
        {
            Console.WriteLine($"seeding {fileCount} record files x {perFile} documents in {data}, load {BenchEngine.LoadAverage()}");
            List<string> codes;
            var pdfs = pdfKb > 0 ? Enumerable.Range(0, 20).Select(i => BenchPdf.Create(new Random(1000 + i), pdfKb * 1024)).ToArray() : [];
            await using (var engine = BenchEngine.Open(data))
            {
                codes = await engine.SeedFilesAsync(fileCount, perFile, (n, d) => pdfs.Length == 0 ? null : ($"van-ban-{d:D3}.pdf", "application/pdf", new MemoryStream(pdfs[((n * perFile) + d) % pdfs.Length], writable: false)), parallel: 2);
            }

            var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            var keyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
            var port = FreePort();
            var baseUrl = $"http://127.0.0.1:{port}";
            var log = Path.Combine(data, "server.log");
            var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(server)!, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(server);
            psi.ArgumentList.Add("--urls");
            psi.ArgumentList.Add(baseUrl);
            psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            psi.Environment["Archive__DataPath"] = data;
            psi.Environment["Archive__Auth__ApiKeys__0__Name"] = "bench";
            psi.Environment["Archive__Auth__ApiKeys__0__KeyHash"] = keyHash;
            psi.Environment["Archive__Auth__ApiKeys__0__Roles"] = "administrator";
            psi.Environment["Archive__Auth__ApiKeys__0__Clearance"] = "secret";
            // One key from one client: the per-client rate limit (default 600/min) would answer 429; off for the run.
            psi.Environment["Archive__Api__RequestsPerMinute"] = args.Optional("requests-per-minute") ?? "0";
            if (args.Optional("durability") is { } durability)
            {
                psi.Environment["Archive__Storage__FileSystem__Durability"] = durability;
            }
            psi.Environment["Logging__LogLevel__Default"] = "Warning";
            psi.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
            host = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the server");
            var logWriter = new StreamWriter(log) { AutoFlush = true };
            host.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (logWriter) { logWriter.WriteLine(e.Data); } } };
            host.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (logWriter) { logWriter.WriteLine(e.Data); } } };
            host.BeginOutputReadLine();
            host.BeginErrorReadLine();

            using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
            if (!await WaitHealthyAsync(http, host, TimeSpan.FromSeconds(120)))
            {
                Console.Error.WriteLine($"server did not become healthy; log {log}:\n{ReadTail(log)}");
                return 1;
            }

            // Sanity: the key works, and whether anonymous calls are refused (authentication present) or not.
            var probe = $"/api/record-files/{Uri.EscapeDataString(codes[0])}";
            using (var withKey = new HttpRequestMessage(HttpMethod.Get, probe))
            {
                withKey.Headers.Add("X-Api-Key", key);
                using var r = await http.SendAsync(withKey);
                if (r.StatusCode != HttpStatusCode.OK)
                {
                    Console.Error.WriteLine($"GET {probe} with the API key: {(int)r.StatusCode}; log {log}:\n{ReadTail(log)}");
                    return 1;
                }
            }

            using (var anonymous = await http.GetAsync(probe))
            {
                Console.WriteLine($"server {server} on {baseUrl}: anonymous GET record -> {(int)anonymous.StatusCode} ({(anonymous.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound ? "authentication enforced" : "no authentication in this build: the key header is ignored")})");
            }

            var rng = new Random(7);
            var queries = Enumerable.Range(0, 200).Select(_ => BenchText.Query(rng)).Distinct().ToList();
            var table = new Table("workload", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "server CPU ms/req", "non-2xx", "socket errors", "0 errors");
            var recordScript = Script(data, "record.lua", key, codes.Select(c => "/api/record-files/" + Uri.EscapeDataString(c)));
            var searchScript = Script(data, "search.lua", key, queries.Select(q => "/api/search?q=" + Uri.EscapeDataString(q) + "&pageSize=10"));
            var ok = true;
            foreach (var (name, script) in new[] { ("GET record", recordScript), ("search", searchScript) })
            {
                if (warmup > 0)
                {
                    // Untimed: a freshly started server spends its first seconds compiling (tiered JIT); measured
                    // 2026-12-07, half of the server's CPU in the first 20 s of GET record was the JIT.
                    _ = await BenchEngine.ShellAsync($"{BenchEngine.Quote(wrk)} -t{threads} -c{connections} -d{warmup}s --timeout 10s -s {BenchEngine.Quote(script)} {baseUrl}/");
                }

                host.Refresh();
                var cpuBefore = host.TotalProcessorTime;
                var (_, output, _) = await BenchEngine.ShellAsync($"{BenchEngine.Quote(wrk)} -t{threads} -c{connections} -d{duration}s --timeout 10s --latency -s {BenchEngine.Quote(script)} {baseUrl}/");
                host.Refresh();
                var cpuMs = (host.TotalProcessorTime - cpuBefore).TotalMilliseconds;
                Console.WriteLine($"--- wrk {name}, load {BenchEngine.LoadAverage()}\n{output.TrimEnd()}");
                var r = Parse(output);
                var errors = r.Non2xx + r.SocketErrors;
                ok &= errors == 0 && r.Requests > 0;
                table.Add(name, r.Requests, BenchEngine.F1(r.RequestsPerSecond), Ms(r.P50), Ms(r.P90), Ms(r.P99), r.Requests > 0 ? BenchEngine.F1(cpuMs / r.Requests) : "", r.Non2xx, r.SocketErrors, errors == 0 ? "yes" : "NO");
            }

            BenchEngine.PrintHeading("api-load", $"Archive.Server on loopback, {fileCount} record files x {perFile} documents, wrk -t{threads} -c{connections} -d{duration}s after {warmup} s of untimed warm-up per workload");
            Console.WriteLine(table);
            return ok ? 0 : 1;
        }
        finally
        {
            if (host is not null)
            {
                if (!host.HasExited)
                {
                    host.Kill(entireProcessTree: true);
                    await host.WaitForExitAsync();
                }

                host.Dispose();
            }

            BenchEngine.Cleanup(data, delete);
        }
    }

    /// <summary>A wrk script that adds the key and requests the given paths at random.</summary>
    private static string Script(string dir, string name, string key, IEnumerable<string> paths)
    {
        var sb = new StringBuilder();
        sb.Append("wrk.headers[\"X-Api-Key\"] = \"").Append(key).Append("\"\n");
        sb.Append("wrk.headers[\"Accept\"] = \"application/json\"\n");
        sb.Append("local paths = {\n");
        foreach (var p in paths)
        {
            sb.Append("  \"").Append(p.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\",\n");
        }

        sb.Append("}\nmath.randomseed(42)\nrequest = function()\n  return wrk.format(\"GET\", paths[math.random(#paths)])\nend\n");
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    internal sealed record WrkResult(long Requests, double RequestsPerSecond, double P50, double P90, double P99, long Non2xx, long SocketErrors);

    /// <summary>Parses wrk's report (with --latency).</summary>
    internal static WrkResult Parse(string output)
    {
        double Percentile(string p)
        {
            var m = Regex.Match(output, @"^\s*" + p + @"%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            return m.Success ? ToMs(m.Groups[1].Value, m.Groups[2].Value) : double.NaN;
        }

        var requests = RequestsLine().Match(output);
        var rps = RpsLine().Match(output);
        var non2xx = Non2xxLine().Match(output);
        var socket = SocketLine().Match(output);
        long socketErrors = 0;
        if (socket.Success)
        {
            for (var g = 1; g <= 4; g++)
            {
                socketErrors += long.Parse(socket.Groups[g].Value, CultureInfo.InvariantCulture);
            }
        }

        return new WrkResult(
            requests.Success ? long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            rps.Success ? double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            Percentile("50"),
            Percentile("90"),
            Percentile("99"),
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socketErrors);
    }

    private static double ToMs(string value, string unit)
    {
        var v = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch { "us" => v / 1000, "s" => v * 1000, _ => v };
    }

    private static string Ms(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.00", CultureInfo.InvariantCulture);

    internal static async Task<bool> WaitHealthyAsync(HttpClient http, Process host, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout && !host.HasExited)
        {
            try
            {
                using var r = await http.GetAsync("/health");
                if (r.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        return false;
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    internal static string? FindOnPath(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>Archive.Server.dll built beside this harness: artifacts layout (ARCHIVE_ARTIFACTS) or bin/ layout.</summary>
    internal static string? FindServer()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var candidates = new List<string>
        {
            // $ARTIFACTS/bin/Archive.Bench/<pivot>/ -> $ARTIFACTS/bin/Archive.Server/<pivot>/
            Path.Combine(here.Parent!.Parent!.FullName, "Archive.Server", here.Name, "Archive.Server.dll"),
        };
        if (here.Parent?.Parent?.Parent?.Parent?.Parent is { } root)
        {
            // bench/Archive.Bench/bin/<Config>/<tfm>/ -> src/Archive.Server/bin/<Config>/<tfm>/
            candidates.Add(Path.Combine(root.FullName, "src", "Archive.Server", "bin", here.Parent.Name, here.Name, "Archive.Server.dll"));
        }

        return candidates.FirstOrDefault(File.Exists) ?? candidates[0];
    }

    internal static string ReadTail(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return string.Join('\n', lines.TakeLast(40));
        }
        catch (IOException e)
        {
            return e.Message;
        }
    }

    [GeneratedRegex(@"^\s*(\d+) requests in", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"^Requests/sec:\s+([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex RpsLine();

    [GeneratedRegex(@"^\s*Non-2xx or 3xx responses:\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketLine();
}
