using System.Diagnostics;
using System.Net.Http.Headers;
using Archive.Api.Tests.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// What the standalone server writes — API keys, content, the search index, temporary spools — is readable by its own
/// user only (umask 077 by default, <c>Archive:Umask</c>), and a data folder left world-readable by an earlier version
/// is narrowed at start-up. Real server processes (#22 item 8).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("archive-private-").FullName;
    private readonly List<ServerProcess> _servers = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Keys_content_index_and_spools_are_private_to_the_server_user()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions");
        var data = Path.Combine(_root, "data");
        var key = await CreateAdministratorKeyAsync(data);
        var server = await StartAsync(data, []);
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode);
        await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { subject = "Tờ trình" }), Ct).ExpectAsync(201);
        var content = new ByteArrayContent("Nội dung riêng tư"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        await client.PutAsync(ContentUrl(fileCode, 1, "riêng.txt") + "?wait=searchable", content, Ct).ExpectAsync(200);

        // The index is written in the background (and may merge segments while this looks): a file gone is skipped.
        static UnixFileMode? Mode(string path)
        {
            try
            {
                return File.GetUnixFileMode(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
        }

        var entries = Directory.EnumerateFileSystemEntries(data, "*", SearchOption.AllDirectories).Prepend(data).ToList();
        Assert.Contains(entries, e => e.Contains("riêng", StringComparison.Ordinal) || e.Contains("content", StringComparison.Ordinal));
        var open = entries.Select(e => (Path: e, Mode: Mode(e))).Where(e => e.Mode is { } m && (m & (UnixFileMode)0x3F) != 0)
            .Select(e => $"{Path.GetRelativePath(data, e.Path)} {Convert.ToString((int)e.Mode!.Value, 8)}").ToList();
        Assert.True(open.Count == 0, "readable by group or others:\n" + string.Join("\n", open));
    }

    [Fact]
    public async Task A_world_readable_data_folder_is_narrowed_and_a_configured_mask_is_honoured()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions");
        var data = Path.Combine(_root, "old");
        Directory.CreateDirectory(data, (UnixFileMode)0x1ED); // 0755, as an earlier version left it
        File.SetUnixFileMode(data, (UnixFileMode)0x1ED);
        var server = await StartAsync(data, new Dictionary<string, string> { ["Archive__Umask"] = "027" });
        Assert.Equal((UnixFileMode)0x1E8, File.GetUnixFileMode(data)); // 0750
        Assert.Contains("narrowed", server.Log, StringComparison.Ordinal);
        var index = Directory.EnumerateFileSystemEntries(data, "*", SearchOption.AllDirectories).First();
        Assert.Equal(0, (int)File.GetUnixFileMode(index) & 0x7); // nothing for others
    }

    [Fact]
    public async Task A_mask_that_is_not_octal_stops_the_server_naming_the_key()
    {
        var server = ServerProcess.Launch(Path.Combine(_root, "bad"), new Dictionary<string, string> { ["Archive__Umask"] = "rw-------" });
        _servers.Add(server);
        Assert.Equal(78, await server.WaitForExitAsync(TimeSpan.FromSeconds(60), Ct));
        Assert.Contains("Archive:Umask", server.Log, StringComparison.Ordinal);
    }

    private async Task<ServerProcess> StartAsync(string data, Dictionary<string, string> environment)
    {
        var server = ServerProcess.Launch(data, environment);
        _servers.Add(server);
        await server.WaitHealthyAsync(Ct);
        return server;
    }

    private static async Task<string> CreateAdministratorKeyAsync(string data)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { ServerProcess.ServerDll, "apikey", "create", "--name", "ops", "--roles", "administrator", "--Archive:DataPath=" + data })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        var errors = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"apikey create failed ({process.ExitCode}): {output}{errors}");
        return output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("ak_", StringComparison.Ordinal));
    }
}
