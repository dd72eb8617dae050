-- Runs an Argo CD resource health script as Argo CD runs one from argocd-cm (util/lua/lua.go,
-- runLua and ExecuteHealthLua): the object is the global `obj`; only the base, table and safe os
-- (time, date) libraries exist, and no string library, so strings have no methods; the script
-- returns a table whose status and message are the health.
--
-- lua5.1 argocd-lua-sandbox.lua SCRIPT OBJECT   (OBJECT: a Lua file returning the object's table)
-- Prints the status on the first line and the message after it; exits non-zero on a script error.
local script = assert(loadfile(arg[1]))
local object = assert(loadfile(arg[2]))()

local env = {}
for _, name in ipairs({
  "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "print", "rawequal", "rawget",
  "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "unpack", "xpcall", "_VERSION",
}) do
  env[name] = _G[name]
end
env.table = { concat = table.concat, insert = table.insert, maxn = table.maxn, remove = table.remove, sort = table.sort, getn = table.getn }
env.os = { time = os.time, date = os.date }
env._G = env
env.obj = object
setfenv(script, env)

local stringMethods = debug.getmetatable("")
debug.setmetatable("", nil)
local ok, result = pcall(script)
debug.setmetatable("", stringMethods)

if not ok then
  io.stderr:write("script error: " .. tostring(result) .. "\n")
  os.exit(2)
end
if type(result) ~= "table" then
  io.stderr:write("the script returned a " .. type(result) .. ", not a table\n")
  os.exit(3)
end
if type(result.status) ~= "string" or (result.message ~= nil and type(result.message) ~= "string") then
  io.stderr:write("status must be a string and message a string or nil\n")
  os.exit(4)
end
io.write(result.status, "\n", result.message or "")
