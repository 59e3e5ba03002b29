using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Archive.Bench;

/// <summary>
/// The package exchange over HTTP against a real Archive.Server process: handover export job, download, chunked upload to
/// a receipt, verification, acceptance — the server's resident set sampled per phase (issue #21: ≤ 200 MB for 5 GB).
/// </summary>
internal sealed class ExchangeCommand : IBenchCommand
{
    private const long RssLimitMb = 200;
    private const string SealPassword = "bench-seal";

    public string Name => "exchange";

    public string Description => "handover export, download, chunked upload, verify, accept over HTTP on Archive.Server: s, MB/s, server peak RSS per phase";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                exchange [--size-mb 200] [--files 20] [--chunk-mb 64] [--unsealed] [--phase-timeout-s 3600]
                         [--gc-server true|false] [--server PATH/Archive.Server.dll] [--data DIR] [--keep]

                Seeds a data folder through the engine (not timed): agencies 000.00.00.B01 (handing) and 000.00.00.B02
                (successor), fonds P-BENCH of B01 with --files record files of one document each whose content totals
                --size-mb MB (10^6 bytes; pseudo-random, incompressible). Creates an administrator key with the server's
                own verb (`dotnet Archive.Server.dll apikey create --roles administrator --clearance secret`) and, unless
                --unsealed, a self-signed seal certificate (Archive:Exchange:Seal:CertificatePath, and the same
                certificate as the trust list). Then starts Archive.Server (`dotnet Archive.Server.dll`, built with this
                harness; its runtimeconfig decides the GC mode — workstation since issue #21, the Web SDK's default
                is Server GC — unless --gc-server sets DOTNET_gcServer for the run) on 127.0.0.1 over that folder
                and drives the exchange through HTTP, streaming (this process never holds the package in memory):
                  export    POST /api/handovers {fondsCode, receivingAgencyId: B02}, poll GET /api/handovers/{id} (200 ms)
                            until completed: staging bag (every file copied, SHA-256 checked), tar, fsync, SHA-256 of tar, seal
                  download  GET /api/handovers/{id}/package streamed to a file (1 MiB buffer, fsync at the end)
                  upload    POST /api/handover-receipts {agencyId, length, sha256}, then PUT .../{id}/package in --chunk-mb
                            chunks with Content-Range (each chunk fsynced by the server; the last one also makes the
                            server hash the whole received file against the announced SHA-256)
                  verify    poll until verified: tar extracted to a temporary folder, every checksum, seal, catalogue
                  accept    POST .../{id}/accept, poll until accepted (the package is extracted and verified again, then
                            custody of the fonds passes to B02, which is checked with GET /api/fonds/P-BENCH)
                Per phase: seconds, MB/s (package MB / s), the server's peak resident set — VmRSS of /proc/PID/status
                sampled every 20 ms, and VmHWM after resetting it at the phase start (echo 5 > /proc/PID/clear_refs;
                when the kernel refuses, VmHWM is given once, for the whole run) — what its RSS is made of at the
                phase end (RssAnon: GC heap and native memory; RssFile: mapped assemblies and files; RssShmem: with
                .NET's W^X double mapping, JIT-compiled code and stubs), and its CPU seconds (utime+stime).
                Physical references over the downloaded tar, same run: `openssl dgst -sha256` (its digest must equal
                the job's) and `dd bs=1M conv=fsync` (a plain copy, fsynced). Exit 1 when a phase's peak RSS exceeds
                200 MB or a step fails. Needs about 6 x size of free disk (store, package and upload each in the store and in scratch, download,
                extraction); refuses to start otherwise.
                Full size (issue #21: RSS <= 200 MB for a 5 GB package): exchange --size-mb 5000 --files 50
                """);
            return 0;
        }

        var sizeMb = args.Long("size-mb", 200);
        var files = args.Int("files", 20);
        var chunkBytes = args.Long("chunk-mb", 64) * 1_000_000L;
        var seal = !args.Has("unsealed");
        var phaseTimeout = TimeSpan.FromSeconds(args.Int("phase-timeout-s", 3600));
        var total = sizeMb * 1_000_000L;
        var per = total / files;
        if (files < 1 || per < 1 || chunkBytes < 1)
        {
            Console.Error.WriteLine("--size-mb, --files and --chunk-mb must be positive (and size >= files bytes)");
            return 2;
        }

        var server = args.Optional("server") ?? ApiLoadCommand.FindServer();
        if (server is null || !File.Exists(server))
        {
            Console.Error.WriteLine($"Archive.Server.dll not found ({server ?? "no candidate"}); build src/Archive.Server in the same configuration or pass --server PATH");
            return 2;
        }

        if (ApiLoadCommand.FindOnPath("openssl") is null || ApiLoadCommand.FindOnPath("dd") is null)
        {
            Console.Error.WriteLine("openssl and dd are needed for the physical references: apt-get install -y openssl coreutils");
            return 2;
        }

        var (data, delete) = BenchEngine.DataFolder(args, "exchange");
        Directory.CreateDirectory(data);
        var free = new DriveInfo(data).AvailableFreeSpace;
        var need = (total * 6) + (1L << 30);
        if (free < need)
        {
            Console.Error.WriteLine($"not enough free disk in {data}: {free / 1e9:0.0} GB free, need about {need / 1e9:0.0} GB (6 x {total / 1e9:0.0} GB: store, package in the store and its scratch copy, download, upload in the store and its scratch copy for verification; + 1 GB)");
            BenchEngine.Cleanup(data, delete);
            return 2;
        }

        var loadBefore = BenchEngine.LoadAverage();
        Process? host = null;
        var log = Path.Combine(data, "server.log");
        try
        {
            // ---------------------------------------------------------------------------------------- seeding (not timed)
            Console.WriteLine($"seeding {files} record files x {per / 1e6:0.0} MB in {data} (free disk {free / 1e9:0.0} GB), load {loadBefore}");
            var seed = Stopwatch.StartNew();
            await using (var engine = BenchEngine.Open(data))
            {
                await engine.SeedFilesAsync(files, 1, (n, _) => ($"ban-scan-{n:D4}.bin", "application/octet-stream", new ExportCommand.PatternStream(per, n)), parallel: 2);
            }

            var storeBytes = BenchEngine.FolderBytes(Path.Combine(data, "store"));
            Console.WriteLine($"seeded in {seed.Elapsed.TotalSeconds:0} s; store {storeBytes / 1e6:0} MB");

            var key = await CreateKeyAsync(server, data);
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            var gcServer = args.Optional("gc-server");
            if (gcServer is not null)
            {
                environment["DOTNET_gcServer"] = bool.Parse(gcServer) ? "1" : "0";
            }

            if (seal)
            {
                var (pfx, cer) = CreateSealCertificate(data);
                environment["Archive__Exchange__Seal__CertificatePath"] = pfx;
                environment["Archive__Exchange__Seal__CertificatePassword"] = SealPassword;
                environment["Archive__Exchange__Seal__TrustedCertificates__0"] = cer;
            }

            // -------------------------------------------------------------------------------------------- the server
            var port = ApiLoadCommand.FreePort();
            var baseUrl = $"http://127.0.0.1:{port}";
            host = StartServer(server, data, baseUrl, environment, log);
            using var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = new Uri(baseUrl), Timeout = Timeout.InfiniteTimeSpan };
            using (var probe = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) })
            {
                if (!await ApiLoadCommand.WaitHealthyAsync(probe, host, TimeSpan.FromSeconds(120)))
                {
                    Console.Error.WriteLine($"server did not become healthy; log {log}:\n{ApiLoadCommand.ReadTail(log)}");
                    return 1;
                }
            }

            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            using var sampler = new ServerSampler(host.Id);
            var rows = new List<PhaseResult>();
            Console.WriteLine($"server {server} (pid {host.Id}) on {baseUrl}; {(seal ? "sealing with a self-signed certificate" : "unsealed")}; VmHWM reset per phase: {(sampler.CanResetPeak ? "yes" : "no (kernel refused clear_refs)")}");

            // Idle: what the started server holds before any exchange (runtime, JIT, engine, index).
            sampler.Begin();
            await Task.Delay(2000);
            rows.Add(sampler.End("server idle after start", "2 s after /health answered", 0, 2.0));
            Progress(rows[^1]);

            // ------------------------------------------------------------------------------------------- export
            sampler.Begin();
            var sw = Stopwatch.StartNew();
            var job = await SendJsonAsync(http, HttpMethod.Post, "/api/handovers", new { fondsCode = BenchEngine.FondsCode, receivingAgencyId = BenchEngine.ReceivingAgencyId }, HttpStatusCode.Accepted);
            var exportId = Str(job, "id");
            job = await PollAsync(http, $"/api/handovers/{exportId}", "completed", phaseTimeout, host);
            var exportSeconds = sw.Elapsed.TotalSeconds;
            var packageLength = job["packageLength"]!.GetValue<long>();
            var packageSha = Str(job, "packageSha256");
            var payloadBytes = job["bytesTotal"]!.GetValue<long>();
            rows.Add(sampler.End("export", $"POST /api/handovers, poll to completed ({job["filesTotal"]} payload files, {(job["sealed"]!.GetValue<bool>() ? "sealed" : "unsealed")})", packageLength, exportSeconds));
            Progress(rows[^1]);

            // ------------------------------------------------------------------------------------------ download
            var downloaded = Path.Combine(data, "download", Str(job, "packageName"));
            Directory.CreateDirectory(Path.GetDirectoryName(downloaded)!);
            sampler.Begin();
            sw.Restart();
            using (var response = await http.GetAsync(new Uri($"/api/handovers/{exportId}/package", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead))
            {
                await EnsureAsync(response, HttpStatusCode.OK, "GET package");
                var output = new FileStream(downloaded, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
                await using (output)
                {
                    await using var body = await response.Content.ReadAsStreamAsync();
                    await body.CopyToAsync(output, 1 << 20);
                    await output.FlushAsync();
                    output.Flush(flushToDisk: true);
                }
            }

            var downloadSeconds = sw.Elapsed.TotalSeconds;
            var downloadedLength = new FileInfo(downloaded).Length;
            if (downloadedLength != packageLength)
            {
                throw new InvalidOperationException($"downloaded {downloadedLength} bytes, the job says {packageLength}");
            }

            rows.Add(sampler.End("download", "GET .../package streamed to a file, fsync", downloadedLength, downloadSeconds));
            Progress(rows[^1]);

            // -------------------------------------------------------------------------------------------- upload
            sampler.Begin();
            sw.Restart();
            var receipt = await SendJsonAsync(http, HttpMethod.Post, "/api/handover-receipts", new { agencyId = BenchEngine.ReceivingAgencyId, length = downloadedLength, sha256 = packageSha }, HttpStatusCode.Created);
            var receiptId = Str(receipt, "id");
            var chunks = 0;
            var input = new FileStream(downloaded, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (input)
            {
                for (long offset = 0; offset < downloadedLength; offset += chunkBytes)
                {
                    var length = Math.Min(chunkBytes, downloadedLength - offset);
                    using var content = new StreamContent(new WindowStream(input, length), 1 << 16);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    content.Headers.ContentLength = length;
                    content.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + length - 1, downloadedLength);
                    using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/handover-receipts/{receiptId}/package") { Content = content };
                    using var answer = await http.SendAsync(put, HttpCompletionOption.ResponseContentRead);
                    await EnsureAsync(answer, HttpStatusCode.OK, $"PUT chunk {offset}-{offset + length - 1}");
                    receipt = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
                    chunks++;
                }
            }

            var uploadSeconds = sw.Elapsed.TotalSeconds;
            rows.Add(sampler.End("upload", $"POST /api/handover-receipts, {chunks} PUT chunks of {chunkBytes / 1e6:0} MB with Content-Range (ends {Str(receipt, "state")})", downloadedLength, uploadSeconds));
            Progress(rows[^1]);

            // -------------------------------------------------------------------------------------------- verify
            sampler.Begin();
            sw.Restart();
            receipt = await PollAsync(http, $"/api/handover-receipts/{receiptId}", "verified", phaseTimeout, host);
            rows.Add(sampler.End("verify", $"poll to verified ({receipt["filesTotal"]} payload files; {receipt["sealNote"]})", downloadedLength, sw.Elapsed.TotalSeconds));
            Progress(rows[^1]);

            // -------------------------------------------------------------------------------------------- accept
            sampler.Begin();
            sw.Restart();
            await SendJsonAsync(http, HttpMethod.Post, $"/api/handover-receipts/{receiptId}/accept", null, HttpStatusCode.Accepted);
            await PollAsync(http, $"/api/handover-receipts/{receiptId}", "accepted", phaseTimeout, host);
            rows.Add(sampler.End("accept", "POST .../accept, poll to accepted (extract + verify again, custody)", downloadedLength, sw.Elapsed.TotalSeconds));
            Progress(rows[^1]);
            var fonds = await SendJsonAsync(http, HttpMethod.Get, $"/api/fonds/{BenchEngine.FondsCode}", null, HttpStatusCode.OK);
            if (fonds["custodianAgencyId"]?.GetValue<string>() != BenchEngine.ReceivingAgencyId)
            {
                throw new InvalidOperationException($"after acceptance the fonds' custodian is '{fonds["custodianAgencyId"]}', not {BenchEngine.ReceivingAgencyId}");
            }

            var lifetimeHwmKb = BenchEngine.ProcStatusKb("VmHWM", host.Id);
            var benchHwmKb = BenchEngine.ProcStatusKb("VmHWM");

            // ---------------------------------------------------------------------------- physical references
            var (hashSeconds, hashOutput, hashCpu) = await BenchEngine.ShellAsync($"openssl dgst -sha256 {BenchEngine.Quote(downloaded)}");
            var opensslSha = hashOutput.Trim().Split(' ')[^1];
            var copy = downloaded + ".copy";
            var (copySeconds, _, copyCpu) = await BenchEngine.ShellAsync($"dd if={BenchEngine.Quote(downloaded)} of={BenchEngine.Quote(copy)} bs=1M conv=fsync status=none");
            File.Delete(copy);
            var loadAfter = BenchEngine.LoadAverage();

            // ------------------------------------------------------------------------------------------- result
            var table = new Table("phase", "what", "MB", "seconds", "MB/s", "server peak RSS MB (sampled 20 ms)", "server VmHWM MB (phase)", "RSS at phase end: anon / file / shmem MB", "server CPU s");
            foreach (var r in rows)
            {
                table.Add(r.Phase, r.What, r.Bytes == 0 ? "" : BenchEngine.F1(r.Bytes / 1e6), BenchEngine.F1(r.Seconds), r.Bytes == 0 ? "" : BenchEngine.F1(BenchEngine.MBps(r.Bytes, r.Seconds)), BenchEngine.F1(r.SampledKb / 1024.0), r.HwmKb < 0 ? "n/a" : BenchEngine.F1(r.HwmKb / 1024.0), $"{BenchEngine.F1(r.AnonKb / 1024.0)} / {BenchEngine.F1(r.FileKb / 1024.0)} / {BenchEngine.F1(r.ShmemKb / 1024.0)}", BenchEngine.F1(r.CpuSeconds));
            }

            var exchangeRows = rows.Skip(1).ToList();
            var totalSeconds = exchangeRows.Sum(r => r.Seconds);
            table.Add("whole exchange", "export + download + upload + verify + accept", BenchEngine.F1(packageLength / 1e6), BenchEngine.F1(totalSeconds), "", BenchEngine.F1(rows.Max(r => r.SampledKb) / 1024.0), sampler.CanResetPeak ? BenchEngine.F1(rows.Max(r => r.HwmKb) / 1024.0) : BenchEngine.F1(lifetimeHwmKb / 1024.0) + " (lifetime)", "", BenchEngine.F1(exchangeRows.Sum(r => r.CpuSeconds)));
            table.Add("physical: openssl dgst -sha256", "over the downloaded tar" + (opensslSha == packageSha ? " (digest = the job's)" : " (DIGEST DIFFERS from the job's)"), BenchEngine.F1(downloadedLength / 1e6), BenchEngine.F1(hashSeconds), BenchEngine.F1(BenchEngine.MBps(downloadedLength, hashSeconds)), "", "", "", BenchEngine.F1(hashCpu) + " (openssl)");
            table.Add("physical: dd bs=1M conv=fsync", "copy of the downloaded tar", BenchEngine.F1(downloadedLength / 1e6), BenchEngine.F1(copySeconds), BenchEngine.F1(BenchEngine.MBps(downloadedLength, copySeconds)), "", "", "", BenchEngine.F1(copyCpu) + " (dd)");

            BenchEngine.PrintHeading("exchange", $"Archive.Server on loopback, handover package of {files} record files, {sizeMb} MB of content ({payloadBytes / 1e6:0.0} MB payload, tar {packageLength / 1e6:0.0} MB), {chunkBytes / 1e6:0} MB upload chunks, {(seal ? "sealed" : "unsealed")}");
            Console.WriteLine($"load average before seeding {loadBefore}, after the references {loadAfter}; server GC: {(gcServer is null ? ServerGcMode(server) : $"DOTNET_gcServer={environment["DOTNET_gcServer"]} (--gc-server {gcServer})")}; this process's own peak RSS (VmHWM) {benchHwmKb / 1024.0:0.0} MB");
            Console.WriteLine(table);
            var worst = exchangeRows.MaxBy(r => Math.Max(r.SampledKb, r.HwmKb))!;
            var worstMb = Math.Max(worst.SampledKb, worst.HwmKb) / 1024.0;
            var idleMb = Math.Max(rows[0].SampledKb, rows[0].HwmKb) / 1024.0;
            var peakMb = Math.Max(worstMb, Math.Max(idleMb, lifetimeHwmKb / 1024.0)); // VmHWM at the end: since the last reset, or the lifetime peak
            if (opensslSha != packageSha)
            {
                Console.WriteLine($"FAILED: openssl's digest of the download {opensslSha} differs from the job's {packageSha}");
                return 1;
            }

            if (peakMb > RssLimitMb)
            {
                Console.WriteLine($"target: server peak RSS <= {RssLimitMb} MB — NOT met: {peakMb:0.0} MB; the largest phase is '{worst.Phase}' at {worstMb:0.0} MB (idle after start {idleMb:0.0} MB)");
                return 1;
            }

            Console.WriteLine($"target: server peak RSS <= {RssLimitMb} MB — met: {peakMb:0.0} MB at most (largest phase '{worst.Phase}', {worstMb:0.0} MB; idle after start {idleMb:0.0} MB) for {sizeMb} MB");
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TimeoutException or IOException)
        {
            Console.Error.WriteLine($"exchange failed: {ex.Message}\nserver log {log}:\n{(File.Exists(log) ? ApiLoadCommand.ReadTail(log) : "(none)")}");
            return 1;
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

    private static void Progress(PhaseResult r)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Phase}: {r.Seconds:0.0} s, {(r.Bytes == 0 ? 0 : BenchEngine.MBps(r.Bytes, r.Seconds)):0.0} MB/s, server peak RSS {r.SampledKb / 1024.0:0.0} MB sampled / {r.HwmKb / 1024.0:0.0} MB VmHWM (at the end: anonymous {r.AnonKb / 1024.0:0.0} MB, file-backed {r.FileKb / 1024.0:0.0} MB, shared {r.ShmemKb / 1024.0:0.0} MB), CPU {r.CpuSeconds:0.0} s; load {BenchEngine.LoadAverage()}"));

    /// <summary>An administrator key made with the server's own verb (how an operator gets the first key).</summary>
    private static async Task<string> CreateKeyAsync(string server, string data)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(server)!, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { server, "apikey", "create", "--name", "bench-exchange", "--roles", "administrator", "--clearance", "secret", "--Archive:DataPath=" + data })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start apikey create");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var output = await stdout;
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"apikey create failed ({p.ExitCode}): {output}{await stderr}");
        }

        return output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("ak_", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("apikey create printed no key: " + output);
    }

    /// <summary>A self-signed seal certificate (PKCS#12 for the seal, DER for the trust list) in the data folder.</summary>
    private static (string Pfx, string Cer) CreateSealCertificate(string data)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Sở Nội vụ tỉnh Bến Tre (bench), O=Archive bench, C=VN", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var pfx = Path.Combine(data, "seal.pfx");
        var cer = Path.Combine(data, "seal.cer");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pfx, SealPassword));
        File.WriteAllBytes(cer, cert.Export(X509ContentType.Cert));
        return (pfx, cer);
    }

    private static Process StartServer(string server, string data, string baseUrl, Dictionary<string, string> environment, string log)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(server)!, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(server);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add(baseUrl);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["Archive__DataPath"] = data;
        psi.Environment["Archive__Api__RequestsPerMinute"] = "0"; // polling every 200 ms from one key for minutes
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }

        var host = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the server");
        var writer = new StreamWriter(log) { AutoFlush = true };
        host.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        host.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        return host;
    }

    private static string ServerGcMode(string server)
    {
        var config = Path.ChangeExtension(server, ".runtimeconfig.json");
        try
        {
            var gc = JsonNode.Parse(File.ReadAllText(config))?["runtimeOptions"]?["configProperties"]?["System.GC.Server"];
            return gc is null ? "workstation (default)" : gc.GetValue<bool>() ? "Server GC (System.GC.Server in its runtimeconfig)" : "workstation";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string Str(JsonNode node, string name) => node[name]?.GetValue<string>() ?? throw new InvalidOperationException($"the answer has no '{name}': {node.ToJsonString()}");

    private static async Task<JsonNode> SendJsonAsync(HttpClient http, HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        else if (method != HttpMethod.Get)
        {
            request.Content = new ByteArrayContent([]);
        }

        using var response = await http.SendAsync(request);
        await EnsureAsync(response, expected, $"{method} {path}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException($"{method} {path}: empty answer");
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{what}: HTTP {(int)response.StatusCode} (expected {(int)expected}): {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Polls a job every 200 ms until <paramref name="state"/>; a settled other state, a timeout or a dead server fails.</summary>
    private static async Task<JsonNode> PollAsync(HttpClient http, string path, string state, TimeSpan timeout, Process host)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var job = await SendJsonAsync(http, HttpMethod.Get, path, null, HttpStatusCode.OK);
            var now = Str(job, "state");
            if (now == state)
            {
                return job;
            }

            if (now is "failed" or "rejected" or "cancelled" or "declined" or "completed" or "verified" or "accepted")
            {
                throw new InvalidOperationException($"{path} is {now}, waiting for {state}: {job.ToJsonString()}");
            }

            if (host.HasExited || sw.Elapsed > timeout)
            {
                throw new TimeoutException($"{path} still {now} after {sw.Elapsed.TotalSeconds:0} s{(host.HasExited ? " (the server exited)" : string.Empty)}");
            }

            await Task.Delay(200);
        }
    }

    private sealed record PhaseResult(string Phase, string What, long Bytes, double Seconds, long SampledKb, long HwmKb, double CpuSeconds, long AnonKb, long FileKb, long ShmemKb);

    /// <summary>
    /// Samples the server's VmRSS every 20 ms on its own thread; per phase: the sampled peak, VmHWM after a reset at the
    /// phase start (<c>echo 5 &gt; /proc/PID/clear_refs</c>), and CPU seconds from /proc/PID/stat.
    /// </summary>
    private sealed class ServerSampler : IDisposable
    {
        private readonly int _pid;
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peakKb;
        private double _cpuAtStart;

        public ServerSampler(int pid)
        {
            _pid = pid;
            CanResetPeak = ResetPeak();
            _thread = new Thread(Run) { IsBackground = true, Name = "rss-sampler" };
            _thread.Start();
        }

        public bool CanResetPeak { get; }

        public void Begin()
        {
            if (CanResetPeak)
            {
                ResetPeak();
            }

            Interlocked.Exchange(ref _peakKb, Math.Max(0, BenchEngine.ProcStatusKb("VmRSS", _pid)));
            _cpuAtStart = CpuSeconds();
        }

        public PhaseResult End(string phase, string what, long bytes, double seconds)
        {
            Sample();
            var hwm = CanResetPeak ? BenchEngine.ProcStatusKb("VmHWM", _pid) : -1;
            return new PhaseResult(phase, what, bytes, seconds, Interlocked.Read(ref _peakKb), hwm, CpuSeconds() - _cpuAtStart, BenchEngine.ProcStatusKb("RssAnon", _pid), BenchEngine.ProcStatusKb("RssFile", _pid), BenchEngine.ProcStatusKb("RssShmem", _pid));
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }

        private void Run()
        {
            while (!_stop)
            {
                Sample();
                Thread.Sleep(20);
            }
        }

        private void Sample()
        {
            var kb = BenchEngine.ProcStatusKb("VmRSS", _pid);
            long seen;
            while (kb > (seen = Interlocked.Read(ref _peakKb)) && Interlocked.CompareExchange(ref _peakKb, kb, seen) != seen)
            {
            }
        }

        private bool ResetPeak()
        {
            try
            {
                File.WriteAllText($"/proc/{_pid}/clear_refs", "5");
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        /// <summary>utime + stime of the process (all threads), seconds (USER_HZ = 100).</summary>
        private double CpuSeconds()
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{_pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            }
            catch (IOException)
            {
                return double.NaN;
            }
        }
    }

    /// <summary>The next <c>length</c> bytes of a stream, read in place (one chunk of an upload); leaves the stream open.</summary>
    private sealed class WindowStream(Stream inner, long length) : Stream
    {
        private readonly long _length = length;
        private long _left = length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _length;

        public override long Position { get => _length - _left; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_left == 0)
            {
                return 0;
            }

            var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0)
            {
                return 0;
            }

            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken);
            _left -= n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
