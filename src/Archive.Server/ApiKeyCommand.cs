using Archive.Api.Security;
using Archive.Security;

/// <summary>
/// <c>archive-server apikey create --name NAME --roles r1,r2 [--agencies a1,a2] [--clearance secret]</c>,
/// <c>archive-server apikey list</c>, <c>archive-server apikey revoke ID</c>: manage API keys in the data folder's
/// store without the HTTP API (how an operator gets the first administrator key). Other arguments (e.g.
/// <c>--Archive:DataPath=DIR</c>) are configuration, as for the server.
/// </summary>
internal sealed class ApiKeyCommand
{
    private readonly string _verb;
    private readonly Dictionary<string, string> _options;
    private readonly string? _id;

    private ApiKeyCommand(string verb, Dictionary<string, string> options, string? id)
    {
        _verb = verb;
        _options = options;
        _id = id;
    }

    /// <summary>The command when <paramref name="args"/> start with <c>apikey</c>; null otherwise. <paramref name="hostArgs"/> = the configuration arguments.</summary>
    public static ApiKeyCommand? Parse(string[] args, out string[] hostArgs)
    {
        hostArgs = args;
        if (args.Length == 0 || !string.Equals(args[0], "apikey", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var verb = args.Length > 1 ? args[1] : "help";
        string? id = null;
        for (var i = 2; i < args.Length; i++)
        {
            var a = args[i];
            if (a is "--name" or "--roles" or "--agencies" or "--clearance" && i + 1 < args.Length)
            {
                options[a[2..]] = args[++i];
            }
            else if (!a.StartsWith("--", StringComparison.Ordinal) && id is null)
            {
                id = a;
            }
            else
            {
                rest.Add(a);
            }
        }

        hostArgs = [.. rest];
        return new ApiKeyCommand(verb, options, id);
    }

    /// <summary>Runs the command; returns the process exit code.</summary>
    public async Task<int> RunAsync(IServiceProvider services, TextWriter output)
    {
        var store = services.GetRequiredService<ApiKeyStore>();
        switch (_verb)
        {
            case "create":
                try
                {
                    var (key, record) = await store.CreateAsync(
                        new ApiKeySpec(
                            _options.GetValueOrDefault("name") ?? string.Empty,
                            Split(_options.GetValueOrDefault("roles")),
                            Split(_options.GetValueOrDefault("agencies")),
                            _options.GetValueOrDefault("clearance")),
                        "cli:" + Environment.UserName).ConfigureAwait(false);
                    await output.WriteLineAsync($"Created API key '{record.Name}' (id {record.Id}, roles {string.Join(',', record.Roles)}). It is shown only now:").ConfigureAwait(false);
                    await output.WriteLineAsync(key).ConfigureAwait(false);
                    await output.WriteLineAsync("Send it as the X-Api-Key header.").ConfigureAwait(false);
                    return 0;
                }
                catch (Archive.ArchiveValidationException ex)
                {
                    await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                    return 2;
                }

            case "list":
                foreach (var r in await store.ListAsync().ConfigureAwait(false))
                {
                    await output.WriteLineAsync($"{r.Id}  {r.Name}  roles={string.Join(',', r.Roles)}  agencies={string.Join(',', r.Agencies)}  clearance={r.Clearance ?? "-"}  {(r.RevokedAt is null ? "valid" : "revoked " + r.RevokedAt.Value.ToString("u", System.Globalization.CultureInfo.InvariantCulture))}  ({r.Source})").ConfigureAwait(false);
                }

                return 0;

            case "revoke" when _id is not null:
                var revoked = await store.RevokeAsync(_id, "cli:" + Environment.UserName).ConfigureAwait(false);
                await output.WriteLineAsync(revoked is null ? $"No stored key has the id '{_id}'." : $"Revoked '{revoked.Name}' ({revoked.Id}).").ConfigureAwait(false);
                return revoked is null ? 1 : 0;

            default:
                await output.WriteLineAsync("usage: archive-server apikey create --name NAME --roles ROLE[,ROLE] [--agencies ID[,ID]] [--clearance secret]").ConfigureAwait(false);
                await output.WriteLineAsync("       archive-server apikey list | archive-server apikey revoke ID").ConfigureAwait(false);
                await output.WriteLineAsync("roles: " + string.Join(", ", ArchiveRoles.All)).ConfigureAwait(false);
                return _verb == "help" ? 0 : 2;
        }
    }

    private static string[] Split(string? value)
        => string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
