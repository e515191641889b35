-- wrk script: every request signs up a new address (thread id + counter), as a stream of real visitors would.
-- With the argument many-ips (wrk ... -s bench/signup.lua URL -- many-ips) each request also claims another client
-- IP in X-Forwarded-For, for a service that trusts 127.0.0.1 as its proxy: the per-IP limit then counts visitors.
local next_id = 1
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

function init(args)
  n = 0
  run = os.time()
  many_ips = args[1] == "many-ips"
end

function request()
  n = n + 1
  local body = '{"email":"w' .. run .. '-' .. tid .. '-' .. n .. '@bench.example","source":"https://blog.example/b"}'
  local headers = { ["Content-Type"] = "application/json" }
  if many_ips then
    headers["X-Forwarded-For"] = "10." .. tid .. "." .. (n % 250) .. "." .. (math.floor(n / 250) % 250 + 1)
  end
  return wrk.format("POST", "/api/subscriptions", headers, body)
end
