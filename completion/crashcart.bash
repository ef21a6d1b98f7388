# bash completion for crashcart                                  -*- shell-script -*-

_crashcart_ids()
{
    # Names and ids of the running containers crashcart sees (needs root, as
    # crashcart does; nothing otherwise), and image:NAME of Docker's images.
    crashcart --list 2>/dev/null | awk 'NR > 1 { print $2; if ($3 != "-") print $3 }'
    if [[ $cur == image:* ]]; then
        docker images --format 'image:{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>'
    fi
}

_crashcart()
{
    local cur prev words cword
    _init_completion || return

    case $prev in
        -i | --image)
            _filedir
            return
            ;;
        --host | --out)
            _filedir -d
            return
            ;;
        --name | --label | --parallel)
            return
            ;;
        -r | --runtime)
            mapfile -t COMPREPLY < <(compgen -W 'pid docker podman cri-o containerd lxc nspawn runc crun rkt cgroup' -- "$cur")
            return
            ;;
        -S | --setuid | -G | --setgid | --user | --env | -w | --workdir)
            return
            ;;
    esac

    # Has the ID been given? Then what follows is the command.
    local i word all='' takes_arg='-i|--image|-r|--runtime|-S|--setuid|-G|--setgid|--user|--env|-w|--workdir|--host|--out|--name|--label|--parallel'
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        if [[ $word == --all ]]; then
            all=1
        elif [[ $word == -- ]]; then
            # --all -- CMD: what follows runs in each container.
            if [[ $all ]]; then
                mapfile -t COMPREPLY < <(compgen -W '/dev/crashcart/bin/' -- "$cur")
                compopt -o nospace 2>/dev/null
                return
            fi
            break
        elif [[ $word =~ ^($takes_arg)$ ]]; then
            ((i++))
        elif [[ $word != -* ]]; then
            # The command runs in the container: its paths are not the host's.
            mapfile -t COMPREPLY < <(compgen -W '/dev/crashcart/bin/' -- "$cur")
            compopt -o nospace 2>/dev/null
            return
        fi
    done

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W '--image --mount --unmount --exec --runtime --list --tty --no-tty
            --setuid --setgid --user --workdir --env --env-from-target --confined --privileged --host --force
            --writable --core --manifest --idle --legacy-mount --out --all --name --label --parallel --verbose --help --version' -- "$cur")
        return
    fi
    [[ $all ]] && return
    mapfile -t COMPREPLY < <(compgen -W "$(_crashcart_ids)" -- "$cur")
}
complete -F _crashcart crashcart
