using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using Archive.Testing.Support;
using Archive.Records;
using Archive.Retention;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.ReadingRoom.Tests;

/// <summary>
/// The reading room in a real browser: the standalone server (Archive.Server) started as a process on a loopback port
/// over a temporary data folder seeded through the engine, driven by tests/browser/reading-room.test.mjs in the
/// system's headless Chromium (playwright-core). Skips locally when node, Chromium or the npm packages are missing;
/// fails under CI=true (scripts/test.sh installs them).
/// </summary>
public sealed class ReadingRoomBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly ArchiveUser User = new("Phạm Thu Hà");
    private static readonly string RepositoryRoot = typeof(ReadingRoomBrowserTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    [Fact]
    public async Task The_reading_room_searches_views_and_downloads_public_records_only_in_a_real_browser()
    {
        var ct = TestContext.Current.CancellationToken;
        var browserDir = Path.Combine(RepositoryRoot, "tests", "browser");
        var node = FindOnPath("node");
        var missing = new List<string>();
        if (node is null)
        {
            missing.Add("node (apt-get install nodejs npm)");
        }

        if (!File.Exists(Chromium))
        {
            missing.Add("Chromium at " + Chromium + " (apt-get install chromium)");
        }

        if (!File.Exists(Path.Combine(browserDir, "node_modules", "playwright-core", "package.json")))
        {
            missing.Add("playwright-core (npm ci in tests/browser)");
        }

        ServerRequirement.Require(missing.Count == 0, "The browser test needs " + string.Join(", ", missing) + "; scripts/test.sh installs them.");

        var data = Path.Combine(Path.GetTempPath(), "archive-reading-room-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        try
        {
            var expect = await SeedAsync(data, ct);
            var expectFile = Path.Combine(data, "expect.json");
            await File.WriteAllTextAsync(expectFile, JsonSerializer.Serialize(expect), ct);
            var artifacts = Path.Combine(RepositoryRoot, "TestResults", "reading-room");
            Directory.CreateDirectory(artifacts);
            var screenshot = Path.Combine(artifacts, "reading-room.png");
            File.Delete(screenshot);

            var port = FreePort();
            using var server = StartServer(data, port, (string)expect["readerKey"], (string)expect["archivistKey"]);
            var baseUrl = $"http://127.0.0.1:{port}";
            await WaitForHealthAsync(baseUrl, server, ct);

            var (code, output) = await RunAsync(node!, [Path.Combine(browserDir, "reading-room.test.mjs")], browserDir, new Dictionary<string, string>
            {
                ["BASE_URL"] = baseUrl,
                ["CHROMIUM_PATH"] = Chromium,
                ["EXPECT_FILE"] = expectFile,
                ["SCREENSHOT"] = screenshot,
            }, TimeSpan.FromMinutes(4), ct);
            TestContext.Current.TestOutputHelper?.WriteLine(output);
            Assert.True(code == 0, "The browser script failed:\n" + output + "\nserver log:\n" + server.Log);
            Assert.Contains("reading room: ", output, StringComparison.Ordinal);

            // The screenshot: the viewport's size, and a page with content (not blank, not one flat colour).
            var png = PngImage.Decode(await File.ReadAllBytesAsync(screenshot, ct));
            Assert.Equal((1280, 900), (png.Width, png.Height));
            var colours = new HashSet<int>();
            long dark = 0, accent = 0;
            for (var y = 0; y < png.Height; y += 2)
            {
                for (var x = 0; x < png.Width; x += 2)
                {
                    var (r, g, b) = png[x, y];
                    colours.Add((r << 16) | (g << 8) | b);
                    if (r + g + b < 200)
                    {
                        dark++;
                    }

                    if (r > 110 && r < 160 && g < 50 && b < 50)
                    {
                        accent++;
                    }
                }
            }

            var samples = (long)(png.Width / 2) * (png.Height / 2);
            Assert.True(colours.Count > 50, $"The screenshot has only {colours.Count} colours: blank?");
            Assert.True(dark > samples / 200, $"Too little text in the screenshot ({dark} dark samples of {samples}).");
            Assert.True(accent > samples / 50, $"The header bar (accent colour) is missing ({accent} samples of {samples}).");

            // The top-left corner is the header bar, the area under the search box is the page's background.
            var header = png[10, 10];
            Assert.True(header.R > 110 && header.G < 50, $"header colour {header}");
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<Dictionary<string, object>> SeedAsync(string data, CancellationToken ct)
    {
        var services = new ServiceCollection();
        services.AddArchive(o => o.DataPath = data).AddEmbeddedDefaults();
        await using var sp = services.BuildServiceProvider();
        var agencies = sp.GetRequiredService<AgencyRegistry>();
        var fonds = sp.GetRequiredService<FondsRegistry>();
        var files = sp.GetRequiredService<RecordFileService>();
        await agencies.CreateAsync(new Agency { Id = "000.00.00.H49", Name = "Sở Nội vụ tỉnh Hà Tĩnh" }, User, ct);
        await agencies.CreateAsync(new Agency { Id = "000.00.00.G09", Name = "Bộ Nội vụ" }, User, ct);
        await fonds.CreateAsync(new FondsInput { Code = "P-H49", Name = "Phông Sở Nội vụ Hà Tĩnh", AgencyId = "000.00.00.H49" }, User, ct);
        await fonds.CreateAsync(new FondsInput { Code = "P-G09", Name = "Phông Bộ Nội vụ", AgencyId = "000.00.00.G09" }, User, ct);

        async Task<string> File(string fondsCode, int year, string notation, string title, AccessLevel rights, bool accession, params (string Type, string Subject, (string Name, byte[] Bytes)[] Contents)[] docs)
        {
            var code = (await files.CreateAsync(new RecordFileInput
            {
                FondsCode = fondsCode,
                FileCatalog = year,
                FileNotation = notation,
                Title = title,
                Maintenance = RetentionPeriod.Permanent,
                Rights = rights,
                StartDate = new DateOnly(year, 2, 1),
                EndDate = new DateOnly(year, 11, 30),
            }, User, ct)).Stored.Value.FileCode;
            var n = 0;
            foreach (var (type, subject, contents) in docs)
            {
                n++;
                await files.AddDocumentAsync(code, new DocumentInput
                {
                    TypeName = type,
                    CodeNumber = (10 + n).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    CodeNotation = "SNV-VP",
                    IssuedDate = new DateOnly(year, 3, n),
                    OrganName = "Sở Nội vụ",
                    Subject = subject,
                }, null, User, ct);
                foreach (var (name, bytes) in contents)
                {
                    await files.AddContentAsync(code, n, new ContentUpload { FileName = name, Content = new MemoryStream(bytes) }, null, User, ct);
                }
            }

            if (accession)
            {
                await files.MarkAccessionedAsync(code, new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), "Biên bản giao nhận 01/2025", null, User, ct);
            }

            return code;
        }

        var pdf = TestPdf.Create("Báo cáo tổng kết công tác năm 2010", "Danh mục tài liệu kèm theo báo cáo", "Hồ sơ lưu trữ được bảo quản vĩnh viễn tại kho");
        var image = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAIAAADRv8uKAAAIz0lEQVR42hXVIc+CUBjFcZIjGJiJ5AgGZrrJEQzMRHIEAzORHMHATP/kCAZmuskRDMx0kyMYmInkCAZmIjmCgfkpXt/nC/y2s7PzaJrGQGOoMdIwNcYaE42phtCYacw1FhqexlJjpbHWCDU2GluNnQYae42DxlFDapw0zhoXDaVx1bhp3DUqjYfGU+Ol0Wq8NT4aXw1N0xnoDHVGOqbOWGeiM9UROjOduc5Cx9NZ6qx01jqhzkZnq7PTQWevc9A56kidk85Z56KjdK46N527TqXz0HnqvHRanbfOR+er/2CDgcHQYGRgGowNJgZTA2EwM5gbLAw8g6XBymBtEBpsDLYGOwMM9gYHg6OBNDgZnA0uBsrganAzuBtUBg+Dp8HLoDV4G3wMvsYPNhmYDE1GJqbJ2GRiMjURJjOTucnCxDNZmqxM1iahycZka7IzwWRvcjA5mkiTk8nZ5GKiTK4mN5O7SWXyMHmavExak7fJx+Rr/mCLgcXQYmRhWowtJhZTC2Exs5hbLCw8i6XFymJtEVpsLLYWOwss9hYHi6OFtDhZnC0uFsrianGzuFtUFg+Lp8XLorV4W3wsvtYPthnYDG1GNqbN2GZiM7URNjObuc3CxrNZ2qxs1jahzcZma7OzwWZvc7A52kibk83Z5mKjbK42N5u7TWXzsHnavGxam7fNx+Zr/2DBQDAUjASmYCyYCKYCIZgJ5oKFwBMsBSvBWhAKNoKtYCdAsBccBEeBFJwEZ8FFoARXwU1wF1SCh+ApeAlawVvwEXzFD3YYOAwdRg6mw9hh4jB1EA4zh7nDwsFzWDqsHNYOocPGYeuwc8Bh73BwODpIh5PD2eHioByuDjeHu0Pl8HB4OrwcWoe3w8fh6/xgl4HL0GXkYrqMXSYuUxfhMnOZuyxcPJely8pl7RK6bFy2LjsXXPYuB5eji3Q5uZxdLi7K5epyc7m7VC4Pl6fLy6V1ebt8XL7uD/YYeAw9Rh6mx9hj4jH1EB4zj7nHwsPzWHqsPNYeocfGY+ux88Bj73HwOHpIj5PH2ePioTyuHjePu0fl8fB4erw8Wo+3x8fj6/1gn4HP0GfkY/qMfSY+Ux/hM/OZ+yx8PJ+lz8pn7RP6bHy2PjsffPY+B5+jj/Q5+Zx9Lj7K5+pz87n7VD4Pn6fPy6f1eft8fL7+Dw4YBAwDRgFmwDhgEjANEAGzgHnAIsALWAasAtYBYcAmYBuwCyBgH3AIOAbIgFPAOeASoAKuAbeAe0AV8Ah4BrwC2oB3wCfgG/zgkEHIMGQUYoaMQyYh0xARMguZhyxCvJBlyCpkHRKGbEK2IbsQQvYhh5BjiAw5hZxDLiEq5BpyC7mHVCGPkGfIK6QNeYd8Qr7hD44YRAwjRhFmxDhiEjGNEBGziHnEIsKLWEasItYRYcQmYhuxiyBiH3GIOEbIiFPEOeISoSKuEbeIe0QV8Yh4Rrwi2oh3xCfiG/3gmEHMMGYUY8aMYyYx0xgRM4uZxyxivJhlzCpmHRPGbGK2MbsYYvYxh5hjjIw5xZxjLjEq5hpzi7nHVDGPmGfMK6aNecd8Yr7xD4YBDGH0P72MYQLT/21gBnNY/JeXJaxg/Z8uG9jCjv/bwwGOIOEEZ7iAgivc4A4VPOAJL2jhDR/4/j6qljBIGCaMEsyEccIkYZogEmYJ84RFgpewTFglrBPChE3CNmGXQMI+4ZBwTJAJp4RzwiVBJVwTbgn3hCrhkfBMeCW0Ce+ET8I3+cEpg5RhyijFTBmnTFKmKSJlljJPWaR4KcuUVco6JUzZpGxTdimk7FMOKccUmXJKOadcUlTKNeWWck+pUh4pz5RXSpvyTvmkfNMfLBlIhpKRxJSMJRPJVCIkM8lcspB4kqVkJVlLQslGspXs5H++e8lBcpRIyUlyllwkSnKV3CR3SSV5SJ6Sl6SVvCUfyVf+4IxBxjBjlGFmjDMmGdMMkTHLmGcsMryMZcYqY50RZmwythm7DDL2GYeMY4bMOGWcMy4ZKuOaccu4Z1QZj4xnxiujzXhnfDK+2Q/OGeQMc0Y5Zs44Z5IzzRE5s5x5ziLHy1nmrHLWOWHOJmebs8shZ59zyDnmyJxTzjnnkqNyrjm3nHtOlfPIeea8ctqcd84n55v/YMVAMVSMFKZirJgopgqhmCnmioXCUywVK8VaESo2iq1ip/7ru1ccFEeFVJwUZ8VFoRRXxU1xV1SKh+KpeClaxVvxUXzVDy4YFAwLRgVmwbhgUjAtEAWzgnnBosArWBasCtYFYcGmYFuwK6BgX3AoOBbIglPBueBSoAquBbeCe0FV8Ch4FrwK2oJ3wafgW/zgkkHJsGRUYpaMSyYl0xJRMiuZlyxKvJJlyapkXRKWbEq2JbsSSvYlh5JjiSw5lZxLLiWq5FpyK7mXVCWPkmfJq6QteZd8Sr7lD64YVAwrRhVmxbhiUjGtEBWzinnFosKrWFasKtYVYcWmYluxq/7XYV9xqDhWyIpTxbniUqEqrhW3intFVfGoeFa8KtqKd8Wn4lv94JpBzbBmVGPWjGsmNdMaUTOrmdcsaryaZc2qZl0T1mxqtjW7Gmr2NYeaY42sOdWcay41quZac6u511Q1j5pnzaumrXnXfGq+9Q9uGDQMG0YNZsO4YdIwbRANs4Z5w6LBa1g2rBrWDWHDpmHbsGugYd9waDg2yIZTw7nh0qAarg23hntD1fBoeDa8GtqGd8On4dv84JZBy7Bl1GK2jFsmLdMW0TJrmbcsWryWZcuqZd0Stmxati279n989y2HlmOLbDm1nFsuLarl2nJrubdULY+WZ8urpW15t3xavu0P7hh0DDtGHWbHuGPSMe0QHbOOeceiw+tYdqw61h1hx6Zj27HroGPfceg4dsiOU8e549KhOq4dt457R9Xx6Hh2vDrajnfHp+Pb/eCeQc+wZ9Rj9ox7Jj3THtEz65n3LHq8nmXPqmfdE/ZserY9ux569j2HnmOP7Dn1nHsuParn2nPrufdUPY+eZ8+rp+1593x6vj1/D7x3C/BrRMoAAAAASUVORK5CYII=");
        var a = await File("P-H49", 2010, "01.VP", "Hồ sơ tổng kết công tác văn phòng năm 2010", AccessLevel.Public, true,
            ("Báo cáo", "Báo cáo tổng kết năm 2010", [("bao-cao-2010.pdf", pdf)]),
            ("Ảnh", "Ảnh chụp kho tài liệu", [("anh-kho.png", image)]));
        var b = await File("P-G09", 2015, "02.TCCB", "Hồ sơ về tổ chức bộ máy năm 2015", AccessLevel.Public, true,
            ("Quyết định", "Quyết định về tổ chức bộ máy", []));
        var c = await File("P-H49", 2015, "03.VP", "<img src=x onerror=alert(1)> Thư mục Khâm Thiên", AccessLevel.Public, true,
            ("Công văn", "Công văn về phố Khâm Thiên", []));
        var secret = await File("P-H49", 2010, "04.MAT", "Hồ sơ Tràng Tiền", AccessLevel.Secret, true,
            ("Công văn", "Hồ sơ lưu trữ Tràng Tiền", [("mat.pdf", TestPdf.Create("Hồ sơ lưu trữ mật Tràng Tiền"))]));
        var notAccessioned = await File("P-H49", 2010, "05.VP", "Hồ sơ Hàng Bông", AccessLevel.Public, false,
            ("Công văn", "Hồ sơ lưu trữ Hàng Bông", [("chua-nop.pdf", TestPdf.Create("Hồ sơ lưu trữ chưa nộp lưu Hàng Bông"))]));

        var conditional = await File("P-H49", 2012, "06.DK", "Hồ sơ kè đê Yên Phụ năm 2012", AccessLevel.Conditional, true,
            ("Tờ trình", "Tờ trình về phố Hàng Lược", [("to-trinh.pdf", TestPdf.Create("Nội dung hạn chế về phố Hàng Lược"))]));

        return new Dictionary<string, object>
        {
            ["visible"] = new[] { a, b, c },
            ["hidden"] = new[] { secret, notAccessioned, conditional },
            ["hiddenWords"] = new[] { "Tràng Tiền", "Hàng Bông", "Hàng Lược" },
            ["conditionalCode"] = conditional,
            ["conditionalTitle"] = "Hồ sơ kè đê Yên Phụ năm 2012",
            ["conditionalQuery"] = "đê Yên Phụ",
            ["readerKey"] = Archive.Api.Security.ApiKeyStore.NewKey(),
            ["archivistKey"] = Archive.Api.Security.ApiKeyStore.NewKey(),
            ["pdfDocId"] = a + "/1",
            ["pdfFileCode"] = a,
            ["pdfTitle"] = "Hồ sơ tổng kết công tác văn phòng năm 2010",
            ["pdfName"] = "bao-cao-2010.pdf",
            ["pdfLength"] = pdf.Length,
            ["pdfDocOrdinal"] = 1,
            ["imageName"] = "anh-kho.png",
            ["imageDocOrdinal"] = 2,
            ["facetYear"] = "2010",
            ["inFacetYear"] = new[] { a },
            ["facetFonds"] = "P-H49",
            ["facetFondsFile"] = a,
            ["xssWord"] = "Khâm Thiên",
            ["xssCode"] = c,
        };
    }

    private sealed class ServerProcess(Process process) : IDisposable
    {
        private readonly System.Text.StringBuilder _log = new();

        public Process Process { get; } = process;

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

        public void Append(string? line)
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

        public void Dispose()
        {
            try
            {
                if (!Process.HasExited)
                {
                    Process.Kill(entireProcessTree: true);
                    Process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            Process.Dispose();
        }
    }

    private static ServerProcess StartServer(string data, int port, string readerKey, string archivistKey)
    {
        var dir = AppContext.BaseDirectory;
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(dir, "Archive.Server.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["Archive__DataPath"] = data;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";

        // A researcher (độc giả) and an archivist of the agency holding the conditional record file (access requests).
        info.Environment["Archive__Auth__ApiKeys__0__Name"] = "doc-gia";
        info.Environment["Archive__Auth__ApiKeys__0__KeyHash"] = Archive.Api.Security.ApiKeyStore.Hash(readerKey);
        info.Environment["Archive__Auth__ApiKeys__0__Roles"] = "researcher";
        info.Environment["Archive__Auth__ApiKeys__1__Name"] = "luu-tru-vien";
        info.Environment["Archive__Auth__ApiKeys__1__KeyHash"] = Archive.Api.Security.ApiKeyStore.Hash(archivistKey);
        info.Environment["Archive__Auth__ApiKeys__1__Roles"] = "archivist";
        info.Environment["Archive__Auth__ApiKeys__1__Agencies"] = "000.00.00.H49";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private static async Task WaitForHealthAsync(string baseUrl, ServerProcess server, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(server.Process.HasExited, "The server exited:\n" + server.Log);
            try
            {
                using var r = await http.GetAsync(baseUrl + "/health", ct);
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), "The server did not become healthy:\n" + server.Log);
            await Task.Delay(250, ct);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string tool, string[] args, string workingDirectory, Dictionary<string, string> env, TimeSpan timeout, CancellationToken ct)
    {
        var info = new ProcessStartInfo(tool) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish within {timeout}:\n{(stdout.IsCompleted ? stdout.Result : string.Empty)}");
        }

        return (p.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string tool)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(System.IO.File.Exists);
}
