# usage: sh run.sh keep|plain  (WIRELAB_URL is the lab server)
set -e
DIR=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
UP=${WIRELAB_URL#http://}
if [ "$1" = keep ]; then
  KA="keepalive 4;"; LOC='proxy_http_version 1.1; proxy_set_header Connection "";'
else
  KA=""; LOC=""
fi
mkdir -p "$DIR/logs"
cat > "$DIR/nginx.conf" <<CONF
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $DIR; proxy_temp_path $DIR; fastcgi_temp_path $DIR; uwsgi_temp_path $DIR; scgi_temp_path $DIR;
  upstream lab { server $UP; $KA }
  server {
    listen 127.0.0.1:$PORT;
    location / { proxy_pass http://lab; $LOC }
  }
}
CONF
nginx -p "$DIR" -c "$DIR/nginx.conf" -g 'daemon off;' &
NGX=$!
i=0; until curl -s -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null || [ $i -ge 50 ]; do i=$((i+1)); sleep 0.1; done
for n in 1 2 3 4; do curl -s -o /dev/null "http://127.0.0.1:$PORT/"; done
kill $NGX; wait $NGX 2>/dev/null || true
rm -rf "$DIR"
